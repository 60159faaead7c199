package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.TestSupport;
import dev.charrnn.model.ModelStore;
import tools.jackson.databind.JsonNode;

/** With an API key set, writes need it; reads and generation stay open. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ApiKeyOverHttpTest {

    private static final String KEY = "s3cret-key";

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
        registry.add("charrnn.security.api-key", () -> KEY);
    }

    @Autowired
    ModelStore models;

    private final ServiceHttp http;

    ApiKeyOverHttpTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @Test
    void writesNeedTheKeyInEitherHeaderAndReadsDoNot() throws Exception {
        HttpResponse<String> refused = http.exchange(upload().build());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        JsonNode problem = TestSupport.json().readTree(refused.body());
        assertThat(problem.get("detail").asString()).contains("X-API-Key");

        assertThat(http.exchange(upload().header("Authorization", "Bearer wrong").build()).statusCode()).isEqualTo(401);
        assertThat(http.exchange(upload().header("Authorization", "Bearer " + KEY).build()).statusCode()).isEqualTo(201);
        assertThat(http.exchange(upload().header("X-API-Key", KEY).build()).statusCode()).isEqualTo(201);
        assertThat(http.exchange(http.delete("/api/corpora")).statusCode()).isIn(401, 405);
        assertThat(http.exchange(http.delete("/api/corpora/whatever")).statusCode()).isEqualTo(401);
        assertThat(http.exchange(http.get("/api/corpora")).statusCode()).isEqualTo(200);

        TestSupport.savePatternModel(models, "pattern");
        HttpResponse<String> generated = http.exchange(http.postJson("/api/models/pattern/generate", "{\"length\":5}"));
        assertThat(generated.statusCode()).isEqualTo(200);
        assertThat(http.exchange(http.postJson("/api/models/pattern/activations", "{\"text\":\"the cat\"}"))
                .statusCode()).as("reading a model's units needs no key").isEqualTo(200);
        assertThat(http.exchange(http.delete("/api/models/pattern")).statusCode()).isEqualTo(401);
        assertThat(models.exists("pattern")).isTrue();
    }

    @Test
    void theApiDocsDeclareTheKeyOnWritesOnly() throws Exception {
        JsonNode docs = TestSupport.json().readTree(http.exchange(http.get("/v3/api-docs")).body());
        JsonNode paths = docs.get("paths");
        assertThat(docs.get("components").get("securitySchemes").propertyNames()).containsExactlyInAnyOrder("bearer", "apiKey");
        for (JsonNode write : List.of(paths.get("/api/training-jobs").get("post"), paths.get("/api/corpora/{id}").get("delete"))) {
            assertThat(write.get("security").toString()).as("this server sets a key: either header, no anonymous {}")
                    .isEqualTo("[{\"bearer\":[]},{\"apiKey\":[]}]");
            assertThat(write.get("responses").has("401")).isTrue();
        }
        for (JsonNode read : List.of(paths.get("/api/training-jobs").get("get"), paths.get("/api/models/{name}/generate").get("post"),
                paths.get("/api/models/{name}/activations").get("post"))) {
            assertThat(read.get("security").isArray() && read.get("security").isEmpty()).as("explicitly none").isTrue();
            assertThat(read.get("responses").has("401")).isFalse();
        }
    }

    private HttpRequest.Builder upload() {
        return http.request("/api/corpora").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("some text " + System.nanoTime()));
    }
}
