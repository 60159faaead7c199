package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.HttpClientErrorException;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.client.ApiClient;
import dev.charrnn.client.api.CorporaApi;
import dev.charrnn.client.api.GenerationApi;
import dev.charrnn.client.api.TrainingApi;
import dev.charrnn.client.model.Corpus;
import dev.charrnn.client.model.GenerateRequest;
import dev.charrnn.client.model.GenerateResponse;
import dev.charrnn.client.model.JobView;
import dev.charrnn.client.model.ModelSpec;
import dev.charrnn.client.model.ProblemDetail;
import dev.charrnn.client.model.ScoreRequest;
import dev.charrnn.client.model.ScoreResponse;
import dev.charrnn.client.model.TrainingRequest;
import dev.charrnn.client.model.TrainingSchedule;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API document that users generate clients from, and such a client. The build generates a Java
 * client (OpenAPI Generator, library restclient) from the committed document in
 * src/test/resources/openapi; this test keeps that document equal to the live /v3/api-docs and runs
 * the tour with the client, unedited, over real HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GeneratedClientOverHttpTest {

    /** Set to true to rewrite the committed document from the live one. */
    static final String REFRESH = "charrnn.openapi.refresh";

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
    }

    private final JsonMapper json = TestSupport.json();
    private final ServiceHttp http;

    GeneratedClientOverHttpTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @Test
    void theCommittedDocumentIsTheLiveOne() throws Exception {
        Path committed = committedDocument();
        JsonNode live = json.readTree(http.exchange(http.get("/v3/api-docs")).body());
        if (Boolean.getBoolean(REFRESH)) {
            Files.writeString(committed, json.writerWithDefaultPrettyPrinter().writeValueAsString(live) + "\n");
        }
        List<String> differences = new ArrayList<>();
        differences("", json.readTree(Files.readString(committed)), live, differences);
        assertThat(differences).as("%s differs from the live /v3/api-docs (the generated client is built from it). "
                + "If the change is meant, refresh it with ./mvnw -B -pl service test "
                + "-Dtest='%s#theCommittedDocumentIsTheLiveOne' -D%s=true, then review and commit the file "
                + "(and adapt the tour below if the client changed).", committed, getClass().getSimpleName(), REFRESH)
                .isEmpty();
    }

    @Test
    void aClientGeneratedFromTheDocumentRunsTheTour() throws Exception {
        ApiClient client = new ApiClient().setBasePath(http.uri("").toString());
        CorporaApi corpora = new CorporaApi(client);
        TrainingApi training = new TrainingApi(client);
        GenerationApi generation = new GenerationApi(client);

        Corpus corpus = corpora.uploadCorpus(Fixtures.repeatedSentence(60), "sentence");
        assertThat(corpus.getVocabularySize()).isEqualTo(11);

        JobView queued = training.startTrainingJob(new TrainingRequest().corpusId(corpus.getId()).modelName("tour")
                .spec(new ModelSpec().cell(ModelSpec.CellEnum.LSTM).layers(1).hiddenSize(32).seqLength(16).batchSize(4)
                        .learningRate(0.02).seed(1L))
                .schedule(new TrainingSchedule().maxIterations(120).evalEvery(60)));
        assertThat(queued.getState()).isIn(JobView.StateEnum.QUEUED, JobView.StateEnum.RUNNING);
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> !training.getTrainingJob(queued.getId()).getState().getValue().matches("QUEUED|RUNNING"));
        JobView done = training.getTrainingJob(queued.getId());
        assertThat(done.getState()).as(done.getError()).isEqualTo(JobView.StateEnum.SUCCEEDED);

        GenerateResponse generated = generation.generateText("tour", new GenerateRequest().prime("the ").length(48)
                .temperature(0.5).seed(7L));
        String text = generated.getSamples().get(0).getText();
        assertThat(text.codePointCount(0, text.length())).isEqualTo(48);
        assertThat(generated.getSeed()).isEqualTo(7L);

        ScoreResponse score = generation.scoreText("tour", new ScoreRequest().text(Fixtures.repeatedSentence(2)));
        assertThat(score.getScoredChars()).as("all but the first").isEqualTo(Fixtures.SENTENCE.length() * 2 - 1);
        assertThat(score.getBitsPerChar()).as("better than a uniform guess over 11 characters")
                .isPositive().isLessThan(Math.log(11) / Math.log(2));

        HttpClientErrorException.NotFound unknown = catchThrowableOfType(HttpClientErrorException.NotFound.class,
                () -> generation.generateText("nope", new GenerateRequest().length(5)));
        ProblemDetail problem = unknown.getResponseBodyAs(ProblemDetail.class);
        assertThat(problem.getStatus()).isEqualTo(404);
        assertThat(problem.getDetail()).isEqualTo("No model named 'nope'. GET /api/models lists the trained ones.");
    }

    /** The document in the source tree (surefire runs in service/; an IDE may run in the repository root). */
    private static Path committedDocument() {
        Path relative = Path.of("src/test/resources/openapi/char-rnn.json");
        return Stream.of(Path.of("..").resolve(relative), relative).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + relative + " under " + Path.of("").toAbsolutePath()));
    }

    /** JSON pointers where the two documents differ (object members in any order), the first 20. */
    private static void differences(String pointer, JsonNode committed, JsonNode live, List<String> out) {
        if (out.size() >= 20 || committed.equals(live)) {
            return;
        }
        if (committed.isObject() && live.isObject()) {
            Set<String> names = new TreeSet<>(committed.propertyNames());
            names.addAll(live.propertyNames());
            for (String name : names) {
                JsonNode a = committed.get(name);
                JsonNode b = live.get(name);
                String at = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
                if (a == null || b == null) {
                    out.add(at + (a == null ? " only in the live document" : " only in the committed one"));
                } else {
                    differences(at, a, b, out);
                }
            }
            return;
        }
        out.add(pointer + ": committed " + abbreviate(committed) + ", live " + abbreviate(live));
    }

    private static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }
}
