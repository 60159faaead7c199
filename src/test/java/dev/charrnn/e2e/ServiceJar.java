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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * The packaged service as a separate JVM working in {@code work}, for tests that stop it the way
 * an operating system does (SIGTERM, SIGKILL) and start it again on the same storage.
 */
final class ServiceJar implements AutoCloseable {

    private final Path work;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;
    private int port;

    ServiceJar(Path work) {
        this.work = work;
    }

    void start() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar().getAbsolutePath(), "--server.port=" + port));
        builder.directory(work.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.redirectErrorStream(true).redirectOutput(work.resolve("service-" + System.nanoTime() + ".log").toFile());
        process = builder.start();
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> http.send(get("/actuator/health"), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
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

    String send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(request.uri() + " -> " + response.body()).isEqualTo(expected);
        return response.body();
    }

    HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build();
    }

    HttpRequest post(String path, String type, String body) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** 40 kB of words from a small vocabulary. */
    static String corpus() {
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
