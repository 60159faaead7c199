package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * The packaged service as a separate JVM working in {@code work}, for tests that stop it the way
 * an operating system does (SIGTERM, SIGKILL) and start it again on the same storage.
 */
final class ServiceJar implements AutoCloseable {

    private final Path work;
    private Process process;

    ServiceJar(Path work) {
        this.work = work;
    }

    /** Starts the JVM on a free port, waits until it is healthy and returns HTTP to it: a restart has a new port. */
    ServiceHttp start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar().getAbsolutePath(), "--server.port=" + port));
        builder.directory(work.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.redirectErrorStream(true).redirectOutput(work.resolve("service-" + System.nanoTime() + ".log").toFile());
        process = builder.start();
        ServiceHttp http = new ServiceHttp(port);
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> http.exchange(http.get("/actuator/health")).statusCode() == 200);
        return http;
    }

    /** SIGTERM, as docker stop sends: shutdown hooks run. Returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no last write. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /**
     * Uploads {@link #corpus()} and starts a long job (100000 iterations, evaluating every 1000) training a
     * one-layer 32-unit cell on it, for a test to stop part way; returns the job's path.
     */
    static String startTraining(ServiceHttp http, String model, String cell, int checkpointEvery) throws Exception {
        String corpusId = http.json(http.post("/api/corpora", "text/plain", corpus()), 201).get("id").asString();
        return "/api/training-jobs/" + http.json(http.postJson("/api/training-jobs", "{\"corpusId\":\"" + corpusId
                + "\",\"modelName\":\"" + model + "\",\"spec\":{\"cell\":\"" + cell + "\",\"layers\":1,\"hiddenSize\":32,"
                + "\"seqLength\":32,\"batchSize\":8,\"seed\":1},\"schedule\":{\"maxIterations\":100000,\"evalEvery\":1000,"
                + "\"checkpointEvery\":" + checkpointEvery + "}}"), 202).get("id").asString();
    }

    /** 40 kB of words from a small vocabulary. */
    private static String corpus() {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder();
        String[] words = {"the", "cat", "sat", "on", "a", "mat", "and", "then", "ran", "off", "home"};
        while (text.length() < 40_000) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(8) == 0 ? ".\n" : " ");
        }
        return text.toString();
    }

    /** failsafe runs in the service module's directory; the runnable jar is the -exec one. */
    private static File jar() throws IOException {
        try (Stream<Path> jars = Files.list(Path.of("target"))) {
            return jars.filter(p -> p.getFileName().toString().matches("char-rnn-service-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("run after package: no -exec jar in target/")).toFile();
        }
    }
}
