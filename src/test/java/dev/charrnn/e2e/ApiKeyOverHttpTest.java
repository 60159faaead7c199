package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
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

    @LocalServerPort
    int port;

    @Autowired
    ModelStore models;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void writesNeedTheKeyInEitherHeaderAndReadsDoNot() throws Exception {
        HttpResponse<String> refused = send(upload().build());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        JsonNode problem = TestSupport.json().readTree(refused.body());
        assertThat(problem.get("detail").asString()).contains("X-API-Key");

        assertThat(send(upload().header("Authorization", "Bearer wrong").build()).statusCode()).isEqualTo(401);
        assertThat(send(upload().header("Authorization", "Bearer " + KEY).build()).statusCode()).isEqualTo(201);
        assertThat(send(upload().header("X-API-Key", KEY).build()).statusCode()).isEqualTo(201);
        assertThat(send(HttpRequest.newBuilder(uri("/api/corpora")).DELETE().build()).statusCode()).isIn(401, 405);
        assertThat(send(HttpRequest.newBuilder(uri("/api/corpora/whatever")).DELETE().build()).statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(uri("/api/corpora")).build()).statusCode()).isEqualTo(200);

        TestSupport.savePatternModel(models, "pattern");
        HttpResponse<String> generated = send(HttpRequest.newBuilder(uri("/api/models/pattern/generate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"length\":5}")).build());
        assertThat(generated.statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(uri("/api/models/pattern/activations")).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"the cat\"}")).build())
                .statusCode()).as("reading a model's units needs no key").isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(uri("/api/models/pattern")).DELETE().build()).statusCode()).isEqualTo(401);
        assertThat(models.exists("pattern")).isTrue();
    }

    @Test
    void theApiDocsDeclareTheKeyOnWritesOnly() throws Exception {
        JsonNode docs = TestSupport.json().readTree(send(HttpRequest.newBuilder(uri("/v3/api-docs")).build()).body());
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
        return HttpRequest.newBuilder(uri("/api/corpora")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("some text " + System.nanoTime()));
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
