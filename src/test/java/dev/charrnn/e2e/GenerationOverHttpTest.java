package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.model.ModelStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Streaming, disconnects, concurrency and saturation over real HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GenerationOverHttpTest {

    private static final String MODEL = "pattern";
    private static final int SLOTS = 32;

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
        registry.add("charrnn.limits.max-concurrent-generations", () -> SLOTS);
        registry.add("charrnn.limits.max-generate-length", () -> 100000);
    }

    @Autowired
    ModelStore models;

    @Autowired
    dev.charrnn.generation.GenerationService generation;

    private final JsonMapper json = TestSupport.json();
    private final ServiceHttp http;

    GenerationOverHttpTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @BeforeEach
    void trainedModel() {
        TestSupport.savePatternModel(models, MODEL);
    }

    @Test
    void streamsChunksThenADoneEventThatAgreeWithEachOther() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> response = http.exchange(post("/generate/stream",
                "{\"prime\":\"the \",\"length\":120,\"seed\":3,\"n\":2,\"stop\":[\"mat\"]}"), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");

        StringBuilder[] streamed = {new StringBuilder(), new StringBuilder()};
        JsonNode done = null;
        String event = null;
        for (String line : (Iterable<String>) response.body()::iterator) {
            if (line.startsWith("event:")) {
                event = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                JsonNode data = json.readTree(line.substring(5));
                if ("chunk".equals(event)) {
                    streamed[data.get("sample").asInt()].append(data.get("text").asString());
                } else if ("done".equals(event)) {
                    done = data;
                }
            }
        }
        assertThat(done).as("a done event").isNotNull();
        for (int i = 0; i < 2; i++) {
            assertThat(streamed[i].toString()).isEqualTo(done.get("samples").get(i).get("text").asString());
        }
        assertThat(done.get("samples").get(0).get("finishReason").asString()).isEqualTo("stop");
        assertThat(streamed[0].toString()).doesNotContain("mat");
    }

    @Test
    void aClientThatDisconnectsStopsItsGeneration() throws Exception {
        HttpResponse<InputStream> response = http.exchange(post("/generate/stream",
                "{\"prime\":\"the \",\"length\":100000}"), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (int lines = 0; lines < 20; lines++) {
                assertThat(reader.readLine()).isNotNull();
            }
            assertThat(activeGenerations()).isEqualTo(1);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> activeGenerations() == 0);
    }

    @Test
    void concurrentRequestsOnOneModelDoNotSeeEachOther() throws Exception {
        List<String> primes = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            primes.add(Fixtures.SENTENCE.repeat(2).substring(i % 24, i % 24 + 1 + i % 7));
        }
        List<String> alone = new ArrayList<>();
        for (String prime : primes) {
            alone.add(generate(prime));
        }
        ExecutorService clients = Executors.newFixedThreadPool(SLOTS);
        try {
            List<Callable<String>> calls = primes.stream().<Callable<String>>map(p -> () -> generate(p)).toList();
            List<Future<String>> together = clients.invokeAll(calls);
            for (int i = 0; i < SLOTS; i++) {
                assertThat(together.get(i).get()).as("prime '%s'", primes.get(i)).isEqualTo(alone.get(i));
            }
            assertThat(generation.largestBatch(MODEL)).as("concurrent requests shared network steps").isGreaterThan(1);
        } finally {
            clients.shutdownNow();
        }
    }

    private String generate(String prime) throws Exception {
        return http.json(post("/generate", "{\"prime\":\"" + prime + "\",\"length\":60,\"temperature\":0}"), 200)
                .get("samples").get(0).get("text").asString();
    }

    private double activeGenerations() throws Exception {
        HttpResponse<String> response = http.exchange(http.get("/actuator/metrics/charrnn.generations.active"));
        return json.readTree(response.body()).get("measurements").get(0).get("value").asDouble();
    }

    private HttpRequest post(String path, String body) {
        return http.postJson("/api/models/" + MODEL + path, body);
    }
}
