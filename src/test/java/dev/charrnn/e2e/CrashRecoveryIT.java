package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
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

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = TestSupport.json();
    private Process service;
    private int port;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
    }

    @Test
    void aKilledServiceResumesItsJobFromTheLastCheckpoint() throws Exception {
        start();
        String corpusId = json.readTree(send(post("/api/corpora", "text/plain", corpus()), 201)).get("id").asString();
        String location = "/api/training-jobs/" + json.readTree(send(post("/api/training-jobs", "application/json",
                "{\"corpusId\":\"" + corpusId + "\",\"modelName\":\"survivor\",\"spec\":{\"cell\":\"LSTM\",\"layers\":1,"
                        + "\"hiddenSize\":32,\"seqLength\":32,\"batchSize\":8,\"seed\":1},\"schedule\":{\"maxIterations\":"
                        + "100000,\"evalEvery\":1000,\"checkpointEvery\":" + CHECKPOINT_EVERY + "}}"), 202)).get("id").asString();
        Path checkpoint = work.resolve("models/survivor/checkpoint.zip");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(checkpoint) && iteration(location) >= 2 * CHECKPOINT_EVERY + 5);

        long beforeKill = iteration(location);
        service.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no last write
        long killedAt = Math.max(beforeKill, lastPersistedIteration());

        everyStoredFileIsWholeAndLoadable();
        start();
        JsonNode interrupted = json.readTree(send(get(location), 200));
        assertThat(interrupted.get("state").asString()).isEqualTo("INTERRUPTED");

        send(post(location + "/resume", "application/json", ""), 202);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> "RUNNING".equals(json.readTree(send(get(location), 200)).get("state").asString())
                        && iteration(location) > 0);
        long firstAfterResume = iteration(location);
        assertThat(firstAfterResume).as("continues, does not restart").isGreaterThan(CHECKPOINT_EVERY);
        assertThat(killedAt - firstAfterResume).as("work lost").isLessThan(CHECKPOINT_EVERY + 1);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> iteration(location) > firstAfterResume + 5);
        send(post(location + "/cancel", "application/json", ""), 200);
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

    private void start() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        File jar;
        // failsafe runs in the service module's directory; the runnable jar is the -exec one
        try (Stream<Path> jars = Files.list(Path.of("target"))) {
            jar = jars.filter(p -> p.getFileName().toString().matches("char-rnn-service-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("run after package: no -exec jar in target/")).toFile();
        }
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.getAbsolutePath(), "--server.port=" + port));
        builder.directory(work.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.redirectErrorStream(true).redirectOutput(work.resolve("service-" + System.nanoTime() + ".log").toFile());
        service = builder.start();
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> http.send(get("/actuator/health"), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    private long iteration(String location) throws Exception {
        return json.readTree(send(get(location), 200)).get("iteration").asLong();
    }

    private static String corpus() {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder();
        String[] words = {"the", "cat", "sat", "on", "a", "mat", "and", "then", "ran", "off", "home"};
        while (text.length() < 40_000) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(8) == 0 ? ".\n" : " ");
        }
        return text.toString();
    }

    private String send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(request.uri() + " -> " + response.body()).isEqualTo(expected);
        return response.body();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build();
    }

    private HttpRequest post(String path, String type, String body) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
