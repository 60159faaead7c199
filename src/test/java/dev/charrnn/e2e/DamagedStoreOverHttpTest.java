package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import dev.charrnn.TestSupport;
import dev.charrnn.model.ModelStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service starts on a store that a crash, a full disk or a careless hand damaged: a truncated
 * model.zip, an unreadable model.json, a torn job record. It starts healthy, leaves the damaged
 * models out of the list, answers them with a 409 that says what is wrong, serves the sound model
 * and lets the damaged ones be deleted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DamagedStoreOverHttpTest {

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void damagedStore(DynamicPropertyRegistry registry) {
        Path models = storage.resolve("models");
        TestSupport.savePatternModel(new ModelStore(TestSupport.properties(storage), TestSupport.json()), "sound");
        copy(models.resolve("sound"), models.resolve("truncated"));
        truncate(models.resolve("truncated/model.zip"), 1000);
        copy(models.resolve("sound"), models.resolve("garbled"));
        write(models.resolve("garbled/model.json"), "{\"name\": \"garbled\", \"spec\": {\"cel");
        write(models.resolve(".jobs/torn.json"), "{\"id\":\"torn\",\"request\":{\"corpusId\":");
        registry.add("charrnn.storage.corpora-dir", () -> storage.resolve("corpora").toString());
        registry.add("charrnn.storage.models-dir", models::toString);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = TestSupport.json();

    @Test
    void damagedModelsAndRecordsAreReportedWhileTheRestIsServed() throws Exception {
        assertThat(json.readTree(send(get("/actuator/health"), 200)).get("status").asString()).isEqualTo("UP");
        assertThat(json.readTree(send(get("/api/models"), 200)).findValuesAsString("name")).containsExactly("sound");
        assertThat(json.readTree(send(get("/api/training-jobs"), 200)).findValuesAsString("id")).doesNotContain("torn");

        assertThat(detail(send(get("/api/models/truncated"), 409))).contains("damaged", "model.zip is truncated",
                "DELETE /api/models/truncated");
        assertThat(detail(send(generate("truncated"), 409))).contains("model.zip is truncated");
        assertThat(detail(send(get("/api/models/garbled"), 409))).contains("model.json is unreadable");
        assertThat(detail(send(generate("garbled"), 409))).contains("model.json is unreadable");

        JsonNode sample = json.readTree(send(generate("sound"), 200));
        assertThat(sample.get("samples").get(0).get("text").asString()).hasSize(20);

        send(HttpRequest.newBuilder(uri("/api/models/truncated")).DELETE().build(), 204);
        send(HttpRequest.newBuilder(uri("/api/models/garbled")).DELETE().build(), 204);
        send(get("/api/models/truncated"), 404);
        assertThat(storage.resolve("models/garbled")).doesNotExist();
    }

    private String detail(String problem) {
        return json.readTree(problem).get("detail").asString();
    }

    private HttpRequest generate(String model) {
        return HttpRequest.newBuilder(uri("/api/models/" + model + "/generate")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"length\":20,\"seed\":1}")).build();
    }

    private String send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(request.uri() + " -> " + response.body()).isEqualTo(expected);
        return response.body();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET().build();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static void copy(Path from, Path to) {
        try {
            FileSystemUtils.copyRecursively(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void truncate(Path file, long bytes) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
