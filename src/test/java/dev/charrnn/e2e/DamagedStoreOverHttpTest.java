package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
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
        TestSupport.storage(registry, storage);
    }

    private final JsonMapper json = TestSupport.json();
    private final ServiceHttp http;

    DamagedStoreOverHttpTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @Test
    void damagedModelsAndRecordsAreReportedWhileTheRestIsServed() throws Exception {
        assertThat(http.json(http.get("/actuator/health"), 200).get("status").asString()).isEqualTo("UP");
        assertThat(http.json(http.get("/api/models"), 200).findValuesAsString("name")).containsExactly("sound");
        assertThat(http.json(http.get("/api/training-jobs"), 200).findValuesAsString("id")).doesNotContain("torn");

        assertThat(detail(http.send(http.get("/api/models/truncated"), 409))).contains("damaged",
                "model.zip is truncated", "DELETE /api/models/truncated");
        assertThat(detail(http.send(generate("truncated"), 409))).contains("model.zip is truncated");
        assertThat(detail(http.send(http.get("/api/models/garbled"), 409))).contains("model.json is unreadable");
        assertThat(detail(http.send(generate("garbled"), 409))).contains("model.json is unreadable");

        JsonNode sample = http.json(generate("sound"), 200);
        assertThat(sample.get("samples").get(0).get("text").asString()).hasSize(20);

        http.send(http.delete("/api/models/truncated"), 204);
        http.send(http.delete("/api/models/garbled"), 204);
        http.send(http.get("/api/models/truncated"), 404);
        assertThat(storage.resolve("models/garbled")).doesNotExist();
    }

    private String detail(String problem) {
        return json.readTree(problem).get("detail").asString();
    }

    private HttpRequest generate(String model) {
        return http.postJson("/api/models/" + model + "/generate", "{\"length\":20,\"seed\":1}");
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
