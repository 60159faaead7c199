package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
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

    private final JsonMapper json = TestSupport.json();
    private final ServiceHttp http;

    ServiceOverHttpTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @Test
    void uploadTrainPollAndGenerateWithTheDocumentedExamples() throws Exception {
        JsonNode docs = http.json(http.get("/v3/api-docs"), 200);
        assertThat(docs.get("paths").propertyNames()).contains("/api/corpora", "/api/training-jobs",
                "/api/training-jobs/{id}", "/api/models", "/api/models/{name}", "/api/models/{name}/generate",
                "/api/system");
        assertThat(http.send(http.get("/swagger-ui.html"), 200, 302)).isNotNull();

        JsonNode upload = docs.get("paths").get("/api/corpora").get("post").get("requestBody").get("content").get("text/plain");
        assertThat(upload.get("schema").get("type").asString()).isEqualTo("string");
        JsonNode corpus = http.json(http.post("/api/corpora", "text/plain",
                upload.get("examples").values().iterator().next().get("value").asString()), 201);
        assertThat(corpus.get("id").asString()).isEqualTo(ExampleCorpus.ID);

        HttpResponse<String> accepted = http.exchange(http.postJson("/api/training-jobs",
                example(docs, "/api/training-jobs")));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();

        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> !http.json(http.get(location), 200).get("state").asString().matches("QUEUED|RUNNING"));
        JsonNode job = http.json(http.get(location), 200);
        assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("valBpc").asDouble()).isPositive().isLessThan(Math.log(corpus.get("vocabularySize").asInt()) / Math.log(2));
        String model = job.get("modelName").asString();

        String generateExample = example(docs, "/api/models/{name}/generate");
        JsonNode generated = http.json(http.postJson("/api/models/" + model + "/generate", generateExample), 200);
        String text = generated.get("samples").get(0).get("text").asString();
        JsonNode exampleRequest = json.readTree(generateExample);
        assertThat(text.codePointCount(0, text.length())).isEqualTo(exampleRequest.get("length").asInt());

        assertThat(http.json(http.get("/api/models"), 200).findValuesAsString("name")).contains(model);
        assertSameSampleAfterReloadFromDisk(model, exampleRequest, text);
    }

    @Test
    void urlsTomcatRejectsStillGetProblemJson() throws Exception {
        for (String path : new String[] {"/api/models/a%2Fb", "/api/corpora/%00"}) {
            HttpResponse<String> response = http.exchange(http.get(path));
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(json.readTree(response.body()).get("detail").asString()).contains("encoded slashes");
        }
    }

    @Test
    void aMultipartBodyWithoutBoundaryIsA400() throws Exception {
        HttpResponse<String> response = http.exchange(http.post("/api/corpora", "multipart/form-data", "garbage"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json.readTree(response.body()).get("detail").asString()).contains("multipart");
    }

    @Test
    void theRootPageLeadsToThePlayground() throws Exception {
        assertThat(http.send(http.get("/"), 200)).contains("swagger-ui.html");
    }

    @Test
    void aJobsEventsStreamProgressGradientsAndDone() throws Exception {
        String corpus = http.json(http.post("/api/corpora", "text/plain", "the cat sat on the mat. ".repeat(80)), 201)
                .get("id").asString();
        String job = http.json(http.postJson("/api/training-jobs", "{\"corpusId\":\"" + corpus + "\",\"modelName\":"
                + "\"evented\",\"spec\":{\"layers\":1,\"hiddenSize\":16,\"seqLength\":16,\"batchSize\":4,"
                + "\"statsEvery\":5,\"flowEvery\":20},\"schedule\":{\"maxIterations\":300,\"evalEvery\":100}}"), 202)
                .get("id").asString();

        HttpResponse<java.util.stream.Stream<String>> events = http.exchange(
                http.get("/api/training-jobs/" + job + "/events"), HttpResponse.BodyHandlers.ofLines());
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
        assertThat(http.json(http.get("/actuator/health"), 200).get("status").asString()).isEqualTo("UP");
        assertThat(http.send(http.get("/actuator/prometheus"), 200)).contains("jvm_memory_used_bytes");
        JsonNode system = http.json(http.get("/api/system"), 200);
        assertThat(system.get("backend").asString()).isEqualTo("CPU");
        assertThat(system.get("versions").get("deeplearning4j").asString()).isEqualTo("1.0.0-M2.1");
        assertThat(system.get("generationKernel").asString()).as("surefire runs with the Vector API module")
                .startsWith("vector API, ");
        assertThat(system.get("jit").get("fullSpeed").asBoolean()).as(system.get("jit").toString()).isTrue();
        assertThat(system.get("jit").get("problems")).isEmpty();
    }

    @Test
    void anOversizedMultipartUploadIsA413ProblemAndStoresNothing() throws Exception {
        HttpResponse<String> response = http.exchange(multipart("/api/corpora", "big.txt",
                "x".repeat(80 * 1024).getBytes(StandardCharsets.UTF_8)));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json.readTree(response.body()).get("detail").asString()).contains("max-corpus-size");
        assertThat(http.json(http.get("/api/corpora"), 200).findValuesAsString("name")).doesNotContain("big.txt");
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

    private HttpRequest multipart(String path, String fileName, byte[] content) {
        String boundary = "----charrnn" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return http.request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }
}
