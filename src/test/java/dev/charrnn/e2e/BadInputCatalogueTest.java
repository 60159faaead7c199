package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.corpus.ExampleCorpus;
import dev.charrnn.model.ModelStore;
import tools.jackson.databind.JsonNode;

/**
 * A catalogue of bad requests across every endpoint, sent over real HTTP. Each must get a 4xx
 * problem+json whose detail says what to fix, with no stack trace, and leave the service healthy
 * with no stray files.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BadInputCatalogueTest {

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
        registry.add("charrnn.limits.max-corpus-size", () -> "64KB");
        registry.add("charrnn.limits.max-vocabulary-size", () -> "100");
        registry.add("charrnn.limits.max-generate-length", () -> "10000000");
    }

    @Autowired
    ModelStore models;

    private final ServiceHttp http;

    BadInputCatalogueTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    private record Case(String name, String method, String path, String type, byte[] body, int status, String detail) {
    }

    @Test
    void everyBadRequestGetsAClear4xxAndLeavesNothingBroken() throws Exception {
        TestSupport.savePatternModel(models, "cat");
        String corpus = json(send("POST", "/api/corpora", "text/plain", ExampleCorpus.TEXT.getBytes(StandardCharsets.UTF_8))).get("id").asString();
        String busyCorpus = json(send("POST", "/api/corpora", "text/plain", Fixtures.repeatedSentence(300).getBytes(StandardCharsets.UTF_8))).get("id").asString();
        String long1 = trainJob(busyCorpus, "long-one");   // occupies the worker
        String queued = trainJob(busyCorpus, "long-two");  // waits behind it, using busyCorpus
        HttpResponse<InputStream> generating = http.exchange(request("POST", "/api/models/cat/generate/stream",
                "application/json", "{\"length\":10000000}".getBytes()), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader stream = new BufferedReader(new InputStreamReader(generating.body(), StandardCharsets.UTF_8));
        assertThat(stream.readLine()).isNotNull();
        Thread reading = new Thread(() -> readUntilClosed(stream), "reads the long generation");
        reading.setDaemon(true);
        reading.start(); // a client that keeps reading keeps the generation running for minutes
        long corporaBefore = countFiles("corpora");

        List<Case> cases = new ArrayList<>();
        String train = "/api/training-jobs";
        String ok = "\"corpusId\":\"" + corpus + "\",\"modelName\":\"fresh\"";
        // corpora
        cases.add(bad("empty text body", "POST", "/api/corpora", "text/plain", "", 400, "empty"));
        cases.add(bad("no content type", "POST", "/api/corpora", null, "abc", 415, "not supported"));
        cases.add(bad("JSON instead of text", "POST", "/api/corpora", "application/json", "{\"text\":\"a\"}", 415, "not supported"));
        cases.add(badBytes("latin-1 bytes", "POST", "/api/corpora", "text/plain", new byte[] {'c', 'a', 'f', (byte) 0xE9}, 400, "UTF-8"));
        cases.add(bad("declared UTF-16", "POST", "/api/corpora", "text/plain; charset=UTF-16", "abc", 415, "UTF-8 only"));
        cases.add(badBytes("binary file", "POST", "/api/corpora", "text/plain", new byte[] {'P', 'K', 3, 4, 0, 0}, 400, "binary"));
        cases.add(bad("over the size limit", "POST", "/api/corpora", "text/plain", "a".repeat(70_000), 413, "max-corpus-size"));
        cases.add(bad("too many distinct characters", "POST", "/api/corpora", "text/plain", manyCharacters(), 400, "max-vocabulary-size"));
        cases.add(bad("multipart without file part", "POST", "/api/corpora", "multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--b--\r\n", 400, "file"));
        cases.add(bad("multipart without boundary", "POST", "/api/corpora", "multipart/form-data", "junk", 400, "multipart"));
        cases.add(bad("unknown corpus", "GET", "/api/corpora/feedfacefeedface", null, null, 404, "GET /api/corpora"));
        cases.add(bad("delete a corpus a queued job uses", "DELETE", "/api/corpora/" + busyCorpus, null, null, 409, "Cancel the job"));
        cases.add(bad("encoded slash in an id", "GET", "/api/corpora/..%2F..%2Fetc", null, null, 400, "encoded slashes"));
        // training jobs
        cases.add(bad("malformed JSON", "POST", train, "application/json", "{\"corpusId\": ", 400, "Malformed"));
        cases.add(bad("JSON array", "POST", train, "application/json", "[]", 400, "Malformed"));
        cases.add(bad("missing body", "POST", train, "application/json", "", 400, "missing"));
        cases.add(bad("text/plain body", "POST", train, "text/plain", "x", 415, "not supported"));
        cases.add(bad("missing corpusId", "POST", train, "application/json", "{\"modelName\":\"m\"}", 400, "corpusId is required"));
        cases.add(bad("unknown field", "POST", train, "application/json", "{" + ok + ",\"epochz\":3}", 400, "epochz"));
        cases.add(bad("unknown corpus id", "POST", train, "application/json", "{\"corpusId\":\"nope\",\"modelName\":\"m\"}", 404, "nope"));
        cases.add(bad("model name with ../", "POST", train, "application/json", "{\"corpusId\":\"" + corpus + "\",\"modelName\":\"../x\"}", 400, "Invalid model name"));
        cases.add(bad("model name with /", "POST", train, "application/json", "{\"corpusId\":\"" + corpus + "\",\"modelName\":\"a/b\"}", 400, "Invalid model name"));
        cases.add(bad("model name with NUL", "POST", train, "application/json", "{\"corpusId\":\"" + corpus + "\",\"modelName\":\"a\\u0000b\"}", 400, "Invalid model name"));
        cases.add(bad("model name of 200 characters", "POST", train, "application/json", "{\"corpusId\":\"" + corpus + "\",\"modelName\":\"" + "m".repeat(200) + "\"}", 400, "Invalid model name"));
        cases.add(bad("existing model name", "POST", train, "application/json", "{\"corpusId\":\"" + corpus + "\",\"modelName\":\"cat\"}", 409, "already exists"));
        cases.add(bad("negative layers", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"layers\":-1}}", 400, "spec.layers"));
        cases.add(bad("zero hidden size", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"hiddenSize\":0}}", 400, "spec.hiddenSize"));
        cases.add(bad("huge hidden size", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"hiddenSize\":99999999}}", 400, "spec.hiddenSize"));
        cases.add(bad("NaN learning rate", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"learningRate\":\"NaN\"}}", 400, "learningRate"));
        cases.add(bad("string where a number goes", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"seqLength\":\"long\"}}", 400, "seqLength"));
        cases.add(bad("dropout of 1", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"dropout\":1}}", 400, "dropout"));
        cases.add(bad("zero batch", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"batchSize\":0}}", 400, "batchSize"));
        cases.add(bad("unknown cell", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"cell\":\"TRANSFORMER\"}}", 400, "cell"));
        cases.add(bad("negative clip threshold", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"gradientClipping\":{\"threshold\":-5}}}", 400, "threshold"));
        cases.add(bad("zero iterations", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"maxIterations\":0}}", 400, "maxIterations"));
        cases.add(bad("iterations over the limit", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"maxIterations\":2000000000}}", 400, "max-iterations"));
        cases.add(bad("validation fraction of 0.9", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"validationFraction\":0.9}}", 400, "validationFraction"));
        cases.add(bad("negative duration", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"maxDuration\":\"-PT1M\"}}", 400, "maxDuration"));
        cases.add(bad("corpus too short for the spec", "POST", train, "application/json", "{" + ok + ",\"spec\":{\"batchSize\":64,\"seqLength\":200}}", 400, "Lower batchSize"));
        cases.add(bad("spec with fromModel", "POST", train, "application/json", "{\"fromModel\":\"cat\",\"spec\":{\"layers\":2}}", 400, "spec cannot be changed"));
        cases.add(bad("spark without a Spark home", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"engine\":\"spark\",\"epochs\":1}}", 400, "charrnn.spark.home"));
        cases.add(bad("spark with a home that is not Spark", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"engine\":\"spark\",\"epochs\":1,\"spark\":{\"sparkHome\":\"/nonexistent\"}}}", 400, "'/nonexistent' is not an installation this service may run"));
        cases.add(bad("spark without epochs", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"engine\":\"spark\"}}", 400, "give schedule.epochs"));
        cases.add(bad("spark continuing a model", "POST", train, "application/json", "{\"fromModel\":\"cat\",\"modelName\":\"cat2\",\"schedule\":{\"engine\":\"spark\",\"epochs\":1}}", 400, "new models only"));
        cases.add(bad("unknown training master", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"engine\":\"spark\",\"epochs\":1,\"spark\":{\"trainingMaster\":\"ring-allreduce\"}}}", 400, "parameter-averaging"));
        cases.add(bad("unknown engine", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"engine\":\"flink\"}}", 400, "engine"));
        cases.add(bad("spark corpus URI with no corpus roots configured", "POST", train, "application/json", "{\"modelName\":\"fresh\",\"schedule\":{\"engine\":\"spark\",\"epochs\":1,\"spark\":{\"corpusUri\":\"hdfs://nn/corpora/books\"}}}", 400, "needs charrnn.spark.corpus-roots"));
        cases.add(bad("spark corpus URI and corpusId together", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"engine\":\"spark\",\"epochs\":1,\"spark\":{\"corpusUri\":\"hdfs://nn/corpora/books\"}}}", 400, "not both"));
        cases.add(bad("spark settings for a local job", "POST", train, "application/json", "{" + ok + ",\"schedule\":{\"spark\":{\"master\":\"local[2]\"}}}", 400, "only with schedule.engine"));
        cases.add(bad("unknown job", "GET", train + "/nope", null, null, 404, "nope"));
        cases.add(bad("cancel an unknown job", "POST", train + "/nope/cancel", null, null, 404, "nope"));
        cases.add(bad("resume a running job", "POST", train + "/" + long1 + "/resume", null, null, 409, "only INTERRUPTED"));
        // models and generation
        cases.add(bad("unknown model", "GET", "/api/models/nope", null, null, 404, "nope"));
        cases.add(bad("delete a model being generated from", "DELETE", "/api/models/cat", null, null, 409, "generation"));
        cases.add(bad("prime outside the vocabulary", "POST", "/api/models/cat/generate", "application/json", "{\"prime\":\"ZEBRA\"}", 400, "'Z' (U+005A)"));
        cases.add(bad("zero length", "POST", "/api/models/cat/generate", "application/json", "{\"length\":0}", 400, "length"));
        cases.add(bad("negative temperature", "POST", "/api/models/cat/generate", "application/json", "{\"temperature\":-1}", 400, "temperature"));
        cases.add(bad("topP of zero", "POST", "/api/models/cat/generate", "application/json", "{\"topP\":0}", 400, "topP"));
        cases.add(bad("five stop strings", "POST", "/api/models/cat/generate", "application/json", "{\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400, "stop"));
        cases.add(bad("an empty stop string", "POST", "/api/models/cat/generate", "application/json", "{\"stop\":[\"\"]}", 400, "stop[0] must not be empty (got an empty string)"));
        cases.add(bad("too many samples", "POST", "/api/models/cat/generate", "application/json", "{\"n\":1000}", 400, "max-samples"));
        cases.add(bad("score one character", "POST", "/api/models/cat/score", "application/json", "{\"text\":\"t\"}", 400, "text length"));
        String activations = "/api/models/cat/activations";
        cases.add(bad("activations without text", "POST", activations, "application/json", "{\"layer\":0}", 400, "text is required"));
        cases.add(bad("activations of an unseen character", "POST", activations, "application/json", "{\"text\":\"the DOG\"}", 400, "'D' (U+0044)"));
        cases.add(bad("activations of the output layer", "POST", activations, "application/json", "{\"text\":\"the cat\",\"layer\":1}", 400, "not a recurrent layer"));
        cases.add(bad("activations of a unit that does not exist", "POST", activations, "application/json", "{\"text\":\"the cat\",\"units\":[999]}", 400, "unit 999 does not exist"));
        cases.add(bad("activations of a negative unit", "POST", activations, "application/json", "{\"text\":\"the cat\",\"units\":[-1]}", 400, "units"));
        cases.add(bad("activations with a misspelt field", "POST", activations, "application/json", "{\"text\":\"the cat\",\"unit\":[1]}", 400, "unit"));
        cases.add(bad("activations of a text too long", "POST", activations, "application/json", "{\"text\":\"" + "t".repeat(5001) + "\"}", 400, "max-activation-length"));
        cases.add(badBytes("import a truncated zip", "POST", "/api/models/imported/import", "multipart/form-data; boundary=b", multipartFile(new byte[] {'P', 'K', 3, 4, 1, 2, 3}), 400, "model.json"));
        cases.add(badBytes("import under a bad name", "POST", "/api/models/bad%20name/import", "multipart/form-data; boundary=b", multipartFile(new byte[] {1}), 400, "Invalid model name"));
        cases.add(bad("PUT on a collection", "PUT", "/api/models", "application/json", "{}", 405, "not supported"));

        assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
        JsonNode docs = json(send("GET", "/v3/api-docs", null, null));
        for (Case c : cases) {
            HttpResponse<String> response = send(c.method(), c.path(), c.type(), c.body());
            assertThat(response.statusCode()).as("%s: %s", c.name(), response.body()).isEqualTo(c.status());
            assertThat(response.headers().firstValue("Content-Type").orElse("")).as(c.name()).startsWith("application/problem+json");
            JsonNode problem = json(response);
            assertThat(problem.get("status").asInt()).as(c.name()).isEqualTo(c.status());
            assertThat(problem.get("detail").asString()).as(c.name()).contains(c.detail());
            assertThat(response.body()).as("%s leaks internals", c.name()).doesNotContain("Exception", "\tat ", "dev.charrnn.");
            // Tomcat answers an encoded slash before any operation, and a 405 has no operation to document it
            if (c.status() != 405 && !c.detail().equals("encoded slashes")) {
                assertThat(documentedStatuses(docs, c.method(), c.path())).as("%s: in the API docs", c.name())
                        .contains(Integer.toString(c.status()));
            }
        }

        stream.close(); // the generation's client goes away, which frees its slot
        reading.join(10_000);
        assertThat(reading.isAlive()).as("the reader saw its stream close").isFalse();
        cancel(long1);
        cancel(queued);
        assertThat(json(send("GET", "/actuator/health", null, null)).get("status").asString()).isEqualTo("UP");
        assertThat(send("POST", "/api/models/cat/generate", "application/json", "{\"length\":5}".getBytes()).statusCode()).isEqualTo(200);
        assertThat(countFiles("corpora")).as("failed uploads stored nothing").isEqualTo(corporaBefore);
        try (Stream<Path> files = Files.walk(storage)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.endsWith(".tmp") || name.startsWith(".import-"));
        }
        assertThat(models.exists("imported")).isFalse();
    }

    private static void readUntilClosed(BufferedReader stream) {
        try {
            stream.lines().forEach(line -> { });
        } catch (UncheckedIOException closedByTheTest) {
            // the test closes the body under the reader once the catalogue is done
        }
    }

    private String trainJob(String corpus, String name) throws Exception {
        return json(send("POST", "/api/training-jobs", "application/json", ("{\"corpusId\":\"" + corpus + "\",\"modelName\":\""
                + name + "\",\"spec\":{\"layers\":1,\"hiddenSize\":16,\"seqLength\":16,\"batchSize\":4},"
                + "\"schedule\":{\"maxIterations\":1000000,\"evalEvery\":100000}}").getBytes())).get("id").asString();
    }

    /** Cancels and waits until the job has stopped: a running one first writes its checkpoint. */
    private void cancel(String job) throws Exception {
        send("POST", "/api/training-jobs/" + job + "/cancel", null, null);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> json(send("GET", "/api/training-jobs/" + job, null,
                null)).get("state").asString().equals("CANCELLED"));
    }

    private static Case bad(String name, String method, String path, String type, String body, int status, String detail) {
        return badBytes(name, method, path, type, body == null ? null : body.getBytes(StandardCharsets.UTF_8), status, detail);
    }

    private static Case badBytes(String name, String method, String path, String type, byte[] body, int status, String detail) {
        return new Case(name, method, path, type, body, status, detail);
    }

    private static String manyCharacters() {
        StringBuilder text = new StringBuilder();
        for (int cp = 0x4E00; cp < 0x4E00 + 150; cp++) {
            text.appendCodePoint(cp);
        }
        return text.toString();
    }

    private static byte[] multipartFile(byte[] content) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.zip\"\r\nContent-Type: application/zip\r\n\r\n".getBytes());
        body.writeBytes(content);
        body.writeBytes("\r\n--b--\r\n".getBytes());
        return body.toByteArray();
    }

    /** The statuses /v3/api-docs declares for the operation that serves this request. */
    private static Collection<String> documentedStatuses(JsonNode docs, String method, String path) {
        String template = docs.get("paths").propertyNames().stream()
                .filter(t -> path.matches(t.replaceAll("\\{[^}]+}", "[^/]+")))
                .min(Comparator.comparingLong(t -> t.chars().filter(ch -> ch == '{').count()))
                .orElseThrow(() -> new AssertionError("no documented path serves " + path));
        return docs.get("paths").get(template).get(method.toLowerCase(Locale.ROOT)).get("responses").propertyNames();
    }

    private long countFiles(String dir) throws Exception {
        try (Stream<Path> files = Files.list(storage.resolve(dir))) {
            return files.count();
        }
    }

    private JsonNode json(HttpResponse<String> response) {
        return TestSupport.json().readTree(response.body());
    }

    private HttpResponse<String> send(String method, String path, String type, byte[] body) throws Exception {
        return http.exchange(request(method, path, type, body));
    }

    /** Any method, with or without a body and a Content-Type: the catalogue sends requests no client would. */
    private HttpRequest request(String method, String path, String type, byte[] body) {
        HttpRequest.Builder builder = http.request(path)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            builder.header("Content-Type", type);
        }
        return builder.build();
    }
}
