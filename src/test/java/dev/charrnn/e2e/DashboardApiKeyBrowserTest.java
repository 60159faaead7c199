package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import tools.jackson.databind.JsonNode;

/** With an API key configured, the dashboard asks for it at the first write and sends it with the writes after. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DashboardApiKeyBrowserTest {

    private static final String KEY = "s3cret-key";

    @TempDir
    static Path storage;

    @TempDir
    Path files;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
        registry.add("charrnn.security.api-key", () -> KEY);
    }

    @LocalServerPort
    int port;

    private Chromium browser;

    @AfterEach
    void close() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void thePageAsksForTheKeyAtTheFirstWriteAndThenSendsIt() throws Exception {
        browser = Chromium.start();
        browser.open(port, "/");
        browser.await(Duration.ofSeconds(20), () -> "128".equals(browser.value("train-form", "hiddenSize")));
        // counts each time the key dialog opens
        browser.js("window.keyPrompts = 0; const dialog = document.getElementById('key-dialog');"
                + "new MutationObserver(() => { if (dialog.open) { window.keyPrompts++; } })"
                + ".observe(dialog, {attributes: true, attributeFilter: ['open']});");
        assertThat(browser.js("return document.getElementById('key-dialog').open")).as("reads need no key")
                .isEqualTo(false);

        Path corpus = files.resolve("corpus.txt");
        Files.writeString(corpus, Fixtures.repeatedSentence(100));
        browser.element("corpus-file").sendKeys(corpus.toString());
        browser.await(Duration.ofSeconds(10), () -> browser.element("key-dialog").isDisplayed());
        assertThat(browser.text("key-reason")).contains("X-API-Key");
        browser.screenshot("api-key");
        browser.element("key-input").sendKeys("wrong");
        browser.element("key-ok").click();
        browser.await(Duration.ofSeconds(10), () -> browser.number("window.keyPrompts") == 2);
        assertThat(browser.text("key-reason")).startsWith("The service refused the key you gave.");
        browser.element("key-input").sendKeys(KEY);
        browser.element("key-ok").click();
        browser.await(Duration.ofSeconds(10), () -> "corpus.txt".equals(browser.text("corpus-name")));
        assertThat(browser.element("key-state").isDisplayed()).isTrue();

        browser.typeAll("train-form", "modelName", "keyed", "layers", "1", "hiddenSize", "8", "seqLength", "16",
                "batchSize", "4", "maxIterations", "20", "evalEvery", "10");
        browser.submit("train-form");
        browser.await(Duration.ofSeconds(60), () -> "SUCCEEDED".equals(browser.js(
                "return document.getElementById('watch-head').dataset.state")));
        assertThat(browser.number("window.keyPrompts")).as("asked once, and again only for the refused key")
                .isEqualTo(2);
        JsonNode models = TestSupport.json().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/models")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(models.findValuesAsString("name")).containsExactly("keyed");
        browser.assertNoConsoleErrors(401);
    }
}
