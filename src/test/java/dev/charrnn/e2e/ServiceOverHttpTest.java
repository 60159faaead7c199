package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.TestSupport;
import dev.charrnn.corpus.ExampleCorpus;
import dev.charrnn.model.LoadedModel;
import dev.charrnn.model.ModelStore;
import dev.charrnn.sample.Sampler;
import dev.charrnn.sample.SamplingParams;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The whole product over real HTTP, driven the way a new user drives Swagger UI: every request
 * body is the example the API documentation publishes, sent unedited.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceOverHttpTest {

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
        registry.add("charrnn.limits.max-corpus-size", () -> "64KB");
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = TestSupport.json();

    @Test
    void uploadTrainPollAndGenerateWithTheDocumentedExamples() throws Exception {
        JsonNode docs = json.readTree(send(get("/v3/api-docs"), 200));
        assertThat(docs.get("paths").propertyNames()).contains("/api/corpora", "/api/training-jobs",
                "/api/training-jobs/{id}", "/api/models", "/api/models/{name}", "/api/models/{name}/generate",
                "/api/system");
        assertThat(send(get("/swagger-ui.html"), 200, 302)).isNotNull();

        JsonNode upload = docs.get("paths").get("/api/corpora").get("post").get("requestBody").get("content").get("text/plain");
        assertThat(upload.get("schema").get("type").asString()).isEqualTo("string");
        JsonNode corpus = json.readTree(send(HttpRequest.newBuilder(uri("/api/corpora")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(upload.get("examples").values().iterator().next().get("value")
                        .asString())).build(), 201));
        assertThat(corpus.get("id").asString()).isEqualTo(ExampleCorpus.ID);

        HttpResponse<String> accepted = http.send(postJson("/api/training-jobs", example(docs, "/api/training-jobs")),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();

        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> !json.readTree(send(get(location), 200)).get("state").asString().matches("QUEUED|RUNNING"));
        JsonNode job = json.readTree(send(get(location), 200));
        assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("valBpc").asDouble()).isPositive().isLessThan(Math.log(corpus.get("vocabularySize").asInt()) / Math.log(2));
        String model = job.get("modelName").asString();

        String generateExample = example(docs, "/api/models/{name}/generate");
        JsonNode generated = json.readTree(send(postJson("/api/models/" + model + "/generate", generateExample), 200));
        String text = generated.get("samples").get(0).get("text").asString();
        JsonNode exampleRequest = json.readTree(generateExample);
        assertThat(text.codePointCount(0, text.length())).isEqualTo(exampleRequest.get("length").asInt());

        assertThat(json.readTree(send(get("/api/models"), 200)).findValuesAsString("name")).contains(model);
        assertSameSampleAfterReloadFromDisk(model, exampleRequest, text);
    }

    @Test
    void urlsTomcatRejectsStillGetProblemJson() throws Exception {
        for (String path : new String[] {"/api/models/a%2Fb", "/api/corpora/%00"}) {
            HttpResponse<String> response = http.send(get(path), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(json.readTree(response.body()).get("detail").asString()).contains("encoded slashes");
        }
    }

    @Test
    void aMultipartBodyWithoutBoundaryIsA400() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/corpora"))
                .header("Content-Type", "multipart/form-data").POST(HttpRequest.BodyPublishers.ofString("garbage")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json.readTree(response.body()).get("detail").asString()).contains("multipart");
    }

    @Test
    void theRootPageLeadsToThePlayground() throws Exception {
        assertThat(send(get("/"), 200)).contains("swagger-ui.html");
    }

    @Test
    void aJobsEventsStreamProgressGradientsAndDone() throws Exception {
        String corpus = json.readTree(send(HttpRequest.newBuilder(uri("/api/corpora")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("the cat sat on the mat. ".repeat(80))).build(), 201))
                .get("id").asString();
        String job = json.readTree(send(postJson("/api/training-jobs", "{\"corpusId\":\"" + corpus + "\",\"modelName\":"
                + "\"evented\",\"spec\":{\"layers\":1,\"hiddenSize\":16,\"seqLength\":16,\"batchSize\":4,"
                + "\"statsEvery\":5,\"flowEvery\":20},\"schedule\":{\"maxIterations\":300,\"evalEvery\":100}}"), 202))
                .get("id").asString();

        HttpResponse<java.util.stream.Stream<String>> events = http.send(get("/api/training-jobs/" + job + "/events"),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(events.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        java.util.Set<String> names = new java.util.HashSet<>();
        JsonNode done = null;
        JsonNode gradients = null;
        JsonNode flow = null;
        String event = null;
        for (String line : (Iterable<String>) events.body()::iterator) {
            if (line.startsWith("event:")) {
                event = line.substring(6).trim();
                names.add(event);
            } else if (line.startsWith("data:") && "done".equals(event)) {
                done = json.readTree(line.substring(5));
            } else if (line.startsWith("data:") && "gradients".equals(event)) {
                gradients = json.readTree(line.substring(5));
            } else if (line.startsWith("data:") && "flow".equals(event)) {
                flow = json.readTree(line.substring(5));
            }
        }
        assertThat(names).contains("progress", "gradients", "flow", "done");
        assertThat(done.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("alerts").isArray()).isTrue();
        assertThat(done.get("bestIteration").asLong()).isIn(100L, 200L, 300L);
        assertThat(gradients.get("spectrum").findValuesAsString("param")).containsExactly("RW:i", "RW:f", "RW:g", "RW:o");
        assertThat(gradients.get("saturation").findValuesAsString("gate")).containsExactly("i", "f", "g", "o");
        assertThat(flow.get("contraction").get(0).get("meanForget").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void operationalEndpointsAnswer() throws Exception {
        assertThat(json.readTree(send(get("/actuator/health"), 200)).get("status").asString()).isEqualTo("UP");
        assertThat(send(get("/actuator/prometheus"), 200)).contains("jvm_memory_used_bytes");
        JsonNode system = json.readTree(send(get("/api/system"), 200));
        assertThat(system.get("backend").asString()).isEqualTo("CPU");
        assertThat(system.get("versions").get("deeplearning4j").asString()).isEqualTo("1.0.0-M2.1");
        assertThat(system.get("generationKernel").asString()).as("surefire runs with the Vector API module")
                .startsWith("vector API, ");
        assertThat(system.get("jit").get("fullSpeed").asBoolean()).as(system.get("jit").toString()).isTrue();
        assertThat(system.get("jit").get("problems")).isEmpty();
    }

    @Test
    void anOversizedMultipartUploadIsA413ProblemAndStoresNothing() throws Exception {
        HttpResponse<String> response = http.send(multipart("/api/corpora", "big.txt",
                "x".repeat(80 * 1024).getBytes(StandardCharsets.UTF_8)), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json.readTree(response.body()).get("detail").asString()).contains("max-corpus-size");
        assertThat(json.readTree(send(get("/api/corpora"), 200)).findValuesAsString("name")).doesNotContain("big.txt");
    }

    /** A fresh store on the same directory (what a restart sees) reproduces the served sample. */
    private void assertSameSampleAfterReloadFromDisk(String model, JsonNode request, String served) {
        LoadedModel reloaded = new ModelStore(TestSupport.properties(storage), json).load(model);
        long[] counts = reloaded.metadata().charCounts().stream().mapToLong(Long::longValue).toArray();
        List<String> stop = new java.util.ArrayList<>();
        if (request.has("stop")) {
            request.get("stop").forEach(s -> stop.add(s.asString()));
        }
        SamplingParams params = new SamplingParams(request.get("prime").asString(), request.get("length").asInt(),
                request.get("temperature").asDouble(), request.has("topK") ? request.get("topK").asInt() : null,
                request.has("topP") ? request.get("topP").asDouble() : null, request.get("seed").asLong(), stop,
                request.has("n") ? request.get("n").asInt() : 1, false);
        String again = Sampler.sample(reloaded.inference(), reloaded.vocabulary(), counts, params,
                (i, t) -> { }).get(0).text();
        assertThat(again).isEqualTo(served);
    }

    /**
     * The JSON body Swagger UI offers for a POST: the operation's first named example, or else the
     * one it builds from the schema's property examples.
     */
    private String example(JsonNode docs, String path) {
        JsonNode content = docs.get("paths").get(path).get("post").get("requestBody").get("content").get("application/json");
        if (content.has("examples")) {
            JsonNode value = content.get("examples").values().iterator().next().get("value");
            return value.isString() ? value.asString() : json.writeValueAsString(value);
        }
        return json.writeValueAsString(exampleOf(docs, content.get("schema")));
    }

    private JsonNode exampleOf(JsonNode docs, JsonNode schema) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asString().replace("#/components/schemas/", "");
            return exampleOf(docs, docs.get("components").get("schemas").get(name));
        }
        if (schema.has("example")) {
            return schema.get("example");
        }
        ObjectNode object = json.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> properties = schema.get("properties").properties().iterator();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            object.set(property.getKey(), exampleOf(docs, property.getValue()));
        }
        return object;
    }

    private String send(HttpRequest request, int... expectedStatus) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(request.uri() + " -> " + response.body()).isIn(box(expectedStatus));
        return response.body();
    }

    private static Integer[] box(int[] values) {
        return java.util.Arrays.stream(values).boxed().toArray(Integer[]::new);
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(uri(path)).build();
    }

    private HttpRequest postJson(String path, String body) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpRequest multipart(String path, String fileName, byte[] content) {
        String boundary = "----charrnn" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    private URI uri(String path) {
        return URI.create(path.startsWith("http") ? path : "http://localhost:" + port + path);
    }
}
