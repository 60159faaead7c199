package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/**
 * The service as a separate JVM stopped with SIGTERM (docker stop, a redeploy) while it trains,
 * long before its first periodic checkpoint: the running job checkpoints the step it reached, and
 * the resumed job starts exactly there.
 */
class GracefulStopIT {

    @TempDir
    Path work;

    private ServiceJar service;
    private ServiceHttp http;

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void aStoppedServiceCheckpointsItsRunningJobAndTheResumeLosesNoIteration() throws Exception {
        service = new ServiceJar(work);
        http = service.start();
        String location = ServiceJar.startTraining(http, "stopped", "GRU", 100000);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> iteration(location) >= 40);
        long beforeStop = iteration(location);

        assertThat(service.terminate()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(work.resolve("models/stopped/checkpoint.zip")).exists();

        http = service.start();
        JsonNode interrupted = http.json(http.get(location), 200);
        long stoppedAt = interrupted.get("iteration").asLong();
        assertThat(interrupted.get("state").asString()).isEqualTo("INTERRUPTED");
        assertThat(stoppedAt).as("the record holds the last step, not the one polled before SIGTERM")
                .isGreaterThanOrEqualTo(beforeStop);
        assertThat(interrupted.get("error").asString()).contains("stopped at iteration " + stoppedAt, "resume");

        http.send(http.postJson(location + "/resume", ""), 202);
        java.util.List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
            seen.add(iteration(location));
            return seen.get(seen.size() - 1) >= stoppedAt + 20;
        });
        assertThat(seen).as("a restart from zero would pass through lower iterations").allMatch(i -> i >= stoppedAt);
        http.send(http.postJson(location + "/cancel", ""), 200);
        assertThat(Files.list(work.resolve("models/stopped")).map(p -> p.getFileName().toString()))
                .noneMatch(name -> name.endsWith(".tmp") && !name.startsWith("."));
    }

    private long iteration(String location) throws Exception {
        return http.json(http.get(location), 200).get("iteration").asLong();
    }
}
