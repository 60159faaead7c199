package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.model.ModelStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Clients that open a job's event stream and never read it fill their sockets within seconds;
 * training, the job's other subscribers and its resource must not notice.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SlowSubscribersOverHttpTest {

    /** Far more than the 8 kB socket buffers of both ends hold. */
    private static final long SOCKET_FILLING_BYTES = 256L << 10;
    private static final int SOCKET_BUFFER = 8192;

    /** Small send buffers (Linux's autotuning grows them to 4 MB), so a stalled client fills its socket at once. */
    @TestConfiguration
    static class SmallSocketBuffers {
        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> smallSendBuffers() {
            return factory -> factory.addConnectorCustomizers(connector ->
                    connector.setProperty("socket.txBufSize", String.valueOf(SOCKET_BUFFER)));
        }
    }

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
        registry.add("charrnn.events.stall-timeout", () -> "2s");
        registry.add("charrnn.limits.max-generate-length", () -> 100000);
    }

    @Autowired
    ModelStore models;

    private final JsonMapper json = TestSupport.json();
    private final int port;
    private final ServiceHttp http;

    SlowSubscribersOverHttpTest(@LocalServerPort int port) {
        this.port = port;
        this.http = new ServiceHttp(port);
    }

    @Test
    void stalledSubscribersNeitherSlowTrainingNorStarveTheOneThatReads() throws Exception {
        String corpus = upload(Fixtures.repeatedSentence(400));
        double alone = secondsToTrain(startJob(corpus, "alone"));

        String job = startJob(corpus, "watched");
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stalled.add(neverReading("/api/training-jobs/" + job + "/events"));
        }
        CompletableFuture<Subscription> reader = CompletableFuture.supplyAsync(() -> subscribe(job));
        try {
            Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
                HttpResponse<String> view = http.exchange(http.request("/api/training-jobs/" + job)
                        .timeout(Duration.ofSeconds(5)).build());
                return !json.readTree(view.body()).get("state").asString().matches("QUEUED|RUNNING");
            });
            double watched = secondsToTrain(job);
            Subscription subscription = reader.get();
            JsonNode end = http.json(http.get("/api/training-jobs/" + job));

            assertThat(subscription.bytes).as("enough events to fill a stalled client's socket")
                    .isGreaterThan(SOCKET_FILLING_BYTES);
            assertThat(subscription.done).as("the reading subscriber got the end").isNotNull();
            assertThat(subscription.done.get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(subscription.alertsWhenSubscribed + subscription.alerts.size())
                    .as("every alert reached the reading subscriber: in the view it got first, or as an event")
                    .isEqualTo(end.get("alerts").size());
            assertThat(subscription.alerts).isNotEmpty();
            assertThat(watched).as("training with stalled subscribers (s) against alone (%.2f s)", alone)
                    .isLessThan(2 * alone + 1);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void aStalledGenerationStreamNeitherHoldsUpTheModelsOtherRequestsNorKeepsItsSlot() throws Exception {
        TestSupport.savePatternModel(models, "pattern");
        Socket stalled = neverReading("POST", "/api/models/pattern/generate/stream", "{\"length\":100000,\"n\":4}");
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> activeGenerations() == 1);

            HttpResponse<String> other = http.exchange(http.request("/api/models/pattern/generate")
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"length\":2000}")).build());
            assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
            assertThat(json.readTree(other.body()).get("samples").get(0).get("text").asString()).hasSize(2000);

            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .alias("the stalled stream is closed after charrnn.events.stall-timeout and frees its slot")
                    .until(() -> activeGenerations() == 0);
        } finally {
            stalled.close();
        }
    }

    private double activeGenerations() throws Exception {
        return http.json(http.get("/actuator/metrics/charrnn.generations.active"))
                .get("measurements").get(0).get("value").asDouble();
    }

    /** Many statistics events (every iteration), and updates large enough to raise alerts, clipped so it never diverges. */
    private String startJob(String corpus, String model) throws Exception {
        String body = "{\"corpusId\":\"" + corpus + "\",\"modelName\":\"" + model + "\",\"spec\":{\"cell\":\"RNN\","
                + "\"layers\":2,\"hiddenSize\":16,\"seqLength\":8,\"batchSize\":4,\"learningRate\":0.5,"
                + "\"optimizer\":\"SGD\",\"gradientClipping\":{\"mode\":\"GLOBAL_L2\",\"threshold\":1.0},\"statsEvery\":1,\"flowEvery\":0},"
                + "\"schedule\":{\"maxIterations\":400,\"evalEvery\":200}}";
        return http.json(http.postJson("/api/training-jobs", body), 202).get("id").asString();
    }

    private double secondsToTrain(String job) throws Exception {
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() ->
                !http.json(http.get("/api/training-jobs/" + job)).get("state").asString().matches("QUEUED|RUNNING"));
        JsonNode view = http.json(http.get("/api/training-jobs/" + job));
        assertThat(view.get("state").asString()).as(view.toString()).isEqualTo("SUCCEEDED");
        return Duration.between(Instant.parse(view.get("startedAt").asString()),
                Instant.parse(view.get("finishedAt").asString())).toMillis() / 1000.0;
    }

    private Socket neverReading(String path) throws IOException {
        return neverReading("GET", path, "");
    }

    /** A client that asks for a stream and then never reads a byte. */
    private Socket neverReading(String method, String path, String json) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(SOCKET_BUFFER);
        socket.connect(new InetSocketAddress("localhost", port));
        OutputStream out = socket.getOutputStream();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                + (body.length > 0 ? "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n" : "")
                + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return socket;
    }

    private record Subscription(long bytes, int alertsWhenSubscribed, List<JsonNode> alerts, JsonNode done) {
    }

    private Subscription subscribe(String job) {
        try {
            HttpResponse<java.util.stream.Stream<String>> events = http.exchange(
                    http.get("/api/training-jobs/" + job + "/events"), HttpResponse.BodyHandlers.ofLines());
            long bytes = 0;
            List<JsonNode> alerts = new ArrayList<>();
            JsonNode done = null;
            int alertsWhenSubscribed = -1;
            String event = null;
            for (String line : (Iterable<String>) events.body()::iterator) {
                bytes += line.length() + 1;
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:") && "progress".equals(event) && alertsWhenSubscribed < 0) {
                    alertsWhenSubscribed = json.readTree(line.substring(5)).get("alerts").size();
                } else if (line.startsWith("data:") && "alert".equals(event)) {
                    alerts.add(json.readTree(line.substring(5)));
                } else if (line.startsWith("data:") && "done".equals(event)) {
                    done = json.readTree(line.substring(5));
                }
            }
            return new Subscription(bytes, alertsWhenSubscribed, alerts, done);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private String upload(String text) throws Exception {
        return http.json(http.post("/api/corpora", "text/plain", text)).get("id").asString();
    }
}
