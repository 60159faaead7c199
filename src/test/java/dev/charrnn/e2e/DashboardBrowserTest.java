package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.model.ModelStore;

/**
 * The dashboard in a real headless Chromium (Debian's chromium + chromedriver, which .ci/run
 * installs): it loads, its charts fill with a real job's data, sampling works, and the console
 * shows no JavaScript errors.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
    }

    @Autowired
    ModelStore models;

    private final ServiceHttp http;
    private ChromeDriver browser;

    DashboardBrowserTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theDashboardPlotsALiveJobAndSamplesAModel() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver; .ci/run does)");
        TestSupport.savePatternModel(models, "pattern");
        String corpus = TestSupport.json().readTree(http.exchange(http.post("/api/corpora", "text/plain",
                Fixtures.repeatedSentence(200))).body()).get("id").asString();
        // far more iterations than the test watches: the job must still run when the browser connects (400 once
        // outlasted Chromium's start; now they take 2.5 s), and the test cancels it at the end
        String job = TestSupport.json().readTree(http.exchange(http.postJson("/api/training-jobs", "{\"corpusId\":\""
                + corpus + "\",\"modelName\":\"watched\",\"spec\":{\"layers\":2,\"hiddenSize\":32,\"seqLength\":32,"
                + "\"batchSize\":8,\"statsEvery\":5,\"flowEvery\":20},\"schedule\":{\"maxIterations\":100000,"
                + "\"evalEvery\":40}}")).body()).get("id").asString();

        browser = startChromium();
        browser.get(http.uri("/?job=" + job).toString());
        JavascriptExecutor page = browser;
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                ((Number) page.executeScript("return window.dashboard.state().grads.length")).intValue() >= 4
                        && ((Number) page.executeScript("return window.dashboard.state().loss.it.length")).intValue() >= 2
                        && Boolean.TRUE.equals(page.executeScript("return window.dashboard.state().flow != null")));

        assertThat(browser.getTitle()).contains("dashboard");
        assertThat(browser.findElements(By.cssSelector(".uplot canvas"))).hasSizeGreaterThanOrEqualTo(4);
        assertThat(((Number) page.executeScript("return window.dashboard.charts.norms.data[1].length")).intValue())
                .isGreaterThanOrEqualTo(4);
        assertThat(((Number) page.executeScript("return window.dashboard.charts.flow.data[0].length")).intValue())
                .isEqualTo(32);
        Files.write(Path.of("target", "dashboard.png"), browser.getScreenshotAs(OutputType.BYTES));

        page.executeScript("const s = document.getElementById('models'); s.value = 'pattern';");
        browser.findElement(By.id("prime")).sendKeys("the cat ");
        browser.findElement(By.cssSelector("#sample button")).click();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                browser.findElement(By.id("generated")).getText().length() > 100);
        assertThat(browser.findElement(By.id("generated")).getText()).startsWith("the cat ");

        http.exchange(http.request("/api/training-jobs/" + job + "/cancel").POST(HttpRequest.BodyPublishers.noBody())
                .build());

        // a job that has finished streams nothing more: its page shows the model it wrote, whole history included
        String finished = TestSupport.json().readTree(http.exchange(http.postJson("/api/training-jobs", "{\"corpusId\":\""
                + corpus + "\",\"modelName\":\"finished\",\"spec\":{\"layers\":1,\"hiddenSize\":16,"
                + "\"seqLength\":32,\"batchSize\":8,\"statsEvery\":5},\"schedule\":{\"maxIterations\":60,"
                + "\"evalEvery\":20}}")).body()).get("id").asString();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCEEDED".equals(TestSupport.json().readTree(
                http.exchange(http.get("/api/training-jobs/" + finished)).body()).get("state").asString()));
        browser.get(http.uri("/?job=" + finished).toString());
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                ((Number) page.executeScript("return window.dashboard.state().loss.it.length")).intValue() >= 3
                        && ((Number) page.executeScript("return window.dashboard.state().grads.length")).intValue() >= 4
                        && Boolean.TRUE.equals(page.executeScript("return window.dashboard.state().flow != null")));
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("SUCCEEDED · iteration 60");

        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).as("JavaScript errors in the console").isEmpty();
    }

    private static ChromeDriver startChromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
