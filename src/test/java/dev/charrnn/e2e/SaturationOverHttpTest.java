package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.TestSupport;
import dev.charrnn.model.ModelStore;

/** A saturated server answers 503 with Retry-After at once instead of making clients hang. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SaturationOverHttpTest {

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
        registry.add("charrnn.limits.max-concurrent-generations", () -> 1);
        registry.add("charrnn.limits.max-generate-length", () -> 100000);
    }

    @Autowired
    ModelStore models;

    private final ServiceHttp http;

    SaturationOverHttpTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @Test
    void aRequestBeyondTheGenerationSlotsGets503WithRetryAfter() throws Exception {
        TestSupport.savePatternModel(models, "pattern");
        HttpResponse<InputStream> holding = http.exchange(post("/generate/stream", "{\"length\":100000}"),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(holding.body(), StandardCharsets.UTF_8))) {
            assertThat(reader.readLine()).isNotNull();

            HttpResponse<String> refused = http.exchange(post("/generate", "{\"length\":10}"));

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(refused.body()).contains("max-concurrent-generations");
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                http.exchange(post("/generate", "{\"length\":10}")).statusCode() == 200);
    }

    private HttpRequest post(String path, String body) {
        return http.postJson("/api/models/pattern" + path, body);
    }
}
