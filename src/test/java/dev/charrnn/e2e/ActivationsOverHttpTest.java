package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The quote-detection cell of Karpathy, Johnson and Fei-Fei (2015), found over HTTP: on a text
 * whose quoted words are uppercase and the rest lowercase, a small LSTM needs to know whether it
 * is inside quotes, and {@code /activations} names the unit that does.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ActivationsOverHttpTest {

    private static final int UNITS = 32;
    private static final int CORPUS = 40_000;

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
        registry.add("charrnn.limits.max-activation-units", () -> UNITS);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = TestSupport.json();

    @Test
    void aTrainedLstmHasAQuoteUnitAndTheRouteRanksItFirst() throws Exception {
        String corpus = json.readTree(send(HttpRequest.newBuilder(uri("/api/corpora?name=quotes"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(quotedText(CORPUS, 1)))
                .build(), 201)).get("id").asString();
        HttpResponse<String> accepted = http.send(post("/api/training-jobs", "{\"corpusId\":\"" + corpus + "\","
                + "\"modelName\":\"quotes\",\"spec\":{\"cell\":\"LSTM\",\"layers\":2,\"hiddenSize\":" + UNITS + ","
                + "\"seqLength\":100,\"batchSize\":16,\"learningRate\":0.005,\"flowEvery\":0},"
                + "\"schedule\":{\"maxIterations\":800,\"evalEvery\":100}}"), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String job = accepted.headers().firstValue("Location").orElseThrow();
        Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> !json.readTree(send(get(job), 200)).get("state").asString().matches("QUEUED|RUNNING"));
        JsonNode done = json.readTree(send(get(job), 200));
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("bestValBpc").asDouble()).isLessThanOrEqualTo(done.get("valBpc").asDouble());

        String text = quotedText(CORPUS + 1500, 1).substring(CORPUS); // more of the same, never seen
        String all = IntStream.range(0, UNITS).mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElseThrow();
        JsonNode activations = json.readTree(send(post("/api/models/quotes/activations",
                "{\"text\":" + json.writeValueAsString(text) + ",\"units\":[" + all + "]}"), 200));

        assertThat(activations.get("layer").asInt()).as("the last recurrent layer by default").isOne();
        assertThat(activations.get("cell").asString()).isEqualTo("LSTM");
        assertThat(activations.get("layerUnits").asInt()).isEqualTo(UNITS);
        JsonNode steps = activations.get("steps");
        assertThat(steps.size()).isEqualTo(text.length());
        assertThat(steps.get(7).get("character").asString()).isEqualTo(text.substring(7, 8));
        assertThat(steps.get(0).get("hidden").size()).isEqualTo(UNITS);
        assertThat(steps.get(0).get("cell").size()).isEqualTo(UNITS);

        // the test's own Pearson r over the values the route returned, against its own reading of the quotes
        double[] inside = new double[text.length()];
        boolean quoted = false;
        for (int t = 0; t < text.length(); t++) {
            quoted ^= text.charAt(t) == '"';
            inside[t] = quoted ? 1 : 0;
        }
        int strongest = -1;
        double strongestR = 0;
        for (int unit = 0; unit < UNITS; unit++) {
            double[] values = new double[text.length()];
            for (int t = 0; t < values.length; t++) {
                values[t] = steps.get(t).get("hidden").get(unit).asDouble();
            }
            double r = pearson(values, inside);
            if (Math.abs(r) > Math.abs(strongestR)) {
                strongest = unit;
                strongestR = r;
            }
        }
        System.out.printf("quote unit %d, r = %.3f%n", strongest, strongestR);
        assertThat(Math.abs(strongestR)).isGreaterThan(0.8);

        JsonNode quotes = feature(activations, "insideQuotes");
        assertThat(quotes.get("hidden").get(0).get("unit").asInt()).isEqualTo(strongest);
        assertThat(quotes.get("hidden").get(0).get("r").asDouble()).isCloseTo(strongestR,
                org.assertj.core.api.Assertions.within(1e-4));
        assertThat(quotes.get("hidden").size()).isEqualTo(5);
        assertThat(quotes.get("cell").size()).isEqualTo(5);
        assertThat(feature(activations, "bracketDepth").get("hidden").size()).as("no brackets: no ranking").isZero();

        JsonNode defaults = json.readTree(send(post("/api/models/quotes/activations",
                "{\"text\":" + json.writeValueAsString(text) + "}"), 200));
        assertThat(defaults.get("units").get(0).asInt()).as("by default, the top unit of each feature")
                .isEqualTo(strongest);

        assertProblem(post("/api/models/quotes/activations", "{\"text\":\"abc\",\"layer\":2}"), 400,
                "not a recurrent layer");
        assertProblem(post("/api/models/quotes/activations", "{\"text\":\"abc\",\"units\":[" + UNITS + "]}"), 400,
                "unit " + UNITS + " does not exist");
        assertProblem(post("/api/models/quotes/activations", "{\"text\":\"abc~\"}"), 400, "'~'");
        assertProblem(post("/api/models/quotes/activations", "{\"text\":\"" + "a".repeat(5001) + "\"}"), 400,
                "max-activation-length");
        assertProblem(post("/api/models/quotes/activations", "{\"text\":\"ab\",\"units\":[" + all + ",0]}"), 400,
                "max-activation-units");
        assertProblem(post("/api/models/quotes/activations", "{}"), 400, "text");
        assertProblem(post("/api/models/nope/activations", "{\"text\":\"ab\"}"), 404, "nope");
    }

    /** Words, some runs of them in double quotes: uppercase inside the quotes, lowercase outside. */
    static String quotedText(int length, long seed) {
        Random random = new Random(seed);
        List<String> words = Fixtures.words(random, 40);
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            if (random.nextInt(3) == 0) {
                text.append('"');
                for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
                    text.append(i > 0 ? " " : "").append(words.get(random.nextInt(words.size())).toUpperCase());
                }
                text.append('"');
            } else {
                text.append(words.get(random.nextInt(words.size())));
            }
            text.append(random.nextInt(10) == 0 ? ".\n" : " ");
        }
        return text.substring(0, length);
    }

    private static JsonNode feature(JsonNode activations, String name) {
        for (JsonNode feature : activations.get("features")) {
            if (feature.get("feature").asString().equals(name)) {
                return feature;
            }
        }
        throw new AssertionError("no feature " + name + " in " + activations.get("features"));
    }

    private static double pearson(double[] x, double[] y) {
        double mx = java.util.Arrays.stream(x).average().orElseThrow();
        double my = java.util.Arrays.stream(y).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }

    private void assertProblem(HttpRequest request, int status, String detail) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json.readTree(response.body()).get("detail").asString()).contains(detail);
    }

    private String send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
        return response.body();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET().build();
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private URI uri(String path) {
        return URI.create(path.startsWith("http") ? path : "http://localhost:" + port + path);
    }
}
