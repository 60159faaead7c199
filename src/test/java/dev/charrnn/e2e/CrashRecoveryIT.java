package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.charrnn.TestSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service as a separate JVM, killed with SIGKILL while it trains, then started again: the job
 * is INTERRUPTED, every stored file is whole and loadable, and resume continues from the last
 * checkpoint, losing at most one checkpoint interval of work.
 */
class CrashRecoveryIT {

    private static final int CHECKPOINT_EVERY = 15;

    @TempDir
    Path work;

    private final JsonMapper json = TestSupport.json();
    private ServiceJar service;
    private ServiceHttp http;

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void aKilledServiceResumesItsJobFromTheLastCheckpoint() throws Exception {
        service = new ServiceJar(work);
        http = service.start();
        String location = ServiceJar.startTraining(http, "survivor", "LSTM", CHECKPOINT_EVERY);
        Path checkpoint = work.resolve("models/survivor/checkpoint.zip");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(checkpoint) && iteration(location) >= 2 * CHECKPOINT_EVERY + 5);

        long beforeKill = iteration(location);
        service.kill();
        long killedAt = Math.max(beforeKill, lastPersistedIteration());

        everyStoredFileIsWholeAndLoadable();
        http = service.start();
        JsonNode interrupted = http.json(http.get(location), 200);
        assertThat(interrupted.get("state").asString()).isEqualTo("INTERRUPTED");

        http.send(http.postJson(location + "/resume", ""), 202);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> "RUNNING".equals(http.json(http.get(location), 200).get("state").asString())
                        && iteration(location) > 0);
        long firstAfterResume = iteration(location);
        assertThat(firstAfterResume).as("continues, does not restart").isGreaterThan(CHECKPOINT_EVERY);
        assertThat(killedAt - firstAfterResume).as("work lost").isLessThan(CHECKPOINT_EVERY + 1);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> iteration(location) > firstAfterResume + 5);
        http.send(http.postJson(location + "/cancel", ""), 200);
    }

    private void everyStoredFileIsWholeAndLoadable() throws IOException {
        try (Stream<Path> files = Files.walk(work.resolve("models"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    continue; // a write the kill interrupted: hidden, never read as content
                }
                if (name.endsWith(".zip")) {
                    assertThat(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true).numParams()).isPositive();
                } else if (name.endsWith(".json")) {
                    assertThat(json.readTree(file.toFile()).isObject()).as(file.toString()).isTrue();
                }
            }
        }
        try (Stream<Path> files = Files.list(work.resolve("corpora"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                String id = json.readTree(file.toFile()).get("id").asString();
                assertThat(Files.size(work.resolve("corpora/" + id + ".txt"))).isPositive();
            }
        }
    }

    private long lastPersistedIteration() throws IOException {
        try (Stream<Path> records = Files.list(work.resolve("models/.jobs"))) {
            Path record = records.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
            return json.readTree(record.toFile()).get("metrics").get("iteration").asLong();
        }
    }

    private long iteration(String location) throws Exception {
        return http.json(http.get(location), 200).get("iteration").asLong();
    }
}
