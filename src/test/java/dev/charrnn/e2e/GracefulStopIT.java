package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.charrnn.TestSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service as a separate JVM stopped with SIGTERM (docker stop, a redeploy) while it trains,
 * long before its first periodic checkpoint: the running job checkpoints the step it reached, and
 * the resumed job starts exactly there.
 */
class GracefulStopIT {

    @TempDir
    Path work;

    private final JsonMapper json = TestSupport.json();
    private ServiceJar service;

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void aStoppedServiceCheckpointsItsRunningJobAndTheResumeLosesNoIteration() throws Exception {
        service = new ServiceJar(work);
        service.start();
        String corpusId = json.readTree(service.send(service.post("/api/corpora", "text/plain", ServiceJar.corpus()),
                201)).get("id").asString();
        String location = "/api/training-jobs/" + json.readTree(service.send(service.post("/api/training-jobs",
                "application/json", "{\"corpusId\":\"" + corpusId + "\",\"modelName\":\"stopped\",\"spec\":{\"cell\":"
                        + "\"GRU\",\"layers\":1,\"hiddenSize\":32,\"seqLength\":32,\"batchSize\":8,\"seed\":1},"
                        + "\"schedule\":{\"maxIterations\":100000,\"evalEvery\":1000,\"checkpointEvery\":100000}}"),
                202)).get("id").asString();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> iteration(location) >= 40);
        long beforeStop = iteration(location);

        assertThat(service.terminate()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(work.resolve("models/stopped/checkpoint.zip")).exists();

        service.start();
        JsonNode interrupted = json.readTree(service.send(service.get(location), 200));
        long stoppedAt = interrupted.get("iteration").asLong();
        assertThat(interrupted.get("state").asString()).isEqualTo("INTERRUPTED");
        assertThat(stoppedAt).as("the record holds the last step, not the one polled before SIGTERM")
                .isGreaterThanOrEqualTo(beforeStop);
        assertThat(interrupted.get("error").asString()).contains("stopped at iteration " + stoppedAt, "resume");

        service.send(service.post(location + "/resume", "application/json", ""), 202);
        java.util.List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
            seen.add(iteration(location));
            return seen.get(seen.size() - 1) >= stoppedAt + 20;
        });
        assertThat(seen).as("a restart from zero would pass through lower iterations").allMatch(i -> i >= stoppedAt);
        service.send(service.post(location + "/cancel", "application/json", ""), 200);
        assertThat(Files.list(work.resolve("models/stopped")).map(p -> p.getFileName().toString()))
                .noneMatch(name -> name.endsWith(".tmp") && !name.startsWith("."));
    }

    private long iteration(String location) throws Exception {
        return json.readTree(service.send(service.get(location), 200)).get("iteration").asLong();
    }
}
