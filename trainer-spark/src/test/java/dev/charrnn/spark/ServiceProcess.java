package dev.charrnn.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The real service jar (service/target/*-exec.jar) as a separate JVM, spoken to over HTTP. */
final class ServiceProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final Process process;
    private final int port;
    final Path work;

    private ServiceProcess(Process process, int port, Path work) {
        this.process = process;
        this.port = port;
        this.work = work;
    }

    /** Starts the service in {@code work} (its models/, corpora/ and spark-runs/ go there). */
    static ServiceProcess start(Path work, List<String> settings) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-jar", serviceJar().toString(), "--server.port=" + port));
        settings.forEach(setting -> command.add("--" + setting));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.redirectErrorStream(true).redirectOutput(work.resolve("service.log").toFile());
        return new ServiceProcess(builder.start(), port, work);
    }

    private static Path serviceJar() throws IOException {
        Path dir = Path.of(System.getProperty("charrnn.serviceDir", "../service/target"));
        try (Stream<Path> jars = Files.list(dir)) {
            return jars.filter(p -> p.getFileName().toString().matches("char-rnn-service-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("package the service first: no -exec jar in " + dir));
        }
    }

    void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited: " + Files.readString(work.resolve("service.log")));
            }
            try {
                if (http.send(request("GET", "/actuator/health", null, null), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the service did not become healthy in 120 s");
    }

    /** Uploads a corpus: 201 the first time, 200 when an earlier test uploaded the same bytes. */
    String corpusId(String text) throws Exception {
        HttpResponse<String> response = http.send(request("POST", "/api/corpora", "text/plain", text),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new AssertionError("POST /api/corpora answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).get("id").asText();
    }

    JsonNode send(String method, String path, String type, String body, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(request(method, path, type, body), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? null : JSON.readTree(response.body());
    }

    /** The job's Server-Sent Events until "done": each as [event name, JSON data]. */
    List<Event> events(String jobId) throws Exception {
        HttpResponse<Stream<String>> response = http.send(request("GET", "/api/training-jobs/" + jobId + "/events",
                null, null), HttpResponse.BodyHandlers.ofLines());
        List<Event> events = new ArrayList<>();
        String name = null;
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("event:")) {
                    name = line.substring("event:".length()).trim();
                } else if (line.startsWith("data:")) {
                    events.add(new Event(name, JSON.readTree(line.substring("data:".length()))));
                    if ("done".equals(name)) {
                        break;
                    }
                }
            }
        }
        return events;
    }

    record Event(String name, JsonNode data) {
    }

    private HttpRequest request(String method, String path, String type, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofMinutes(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            builder.header("Content-Type", type);
        }
        return builder.build();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(java.time.Duration.ofSeconds(20).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
