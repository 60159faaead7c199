package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
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

/**
 * The /v1 routes driven by OpenAI's own Java SDK, unmodified, over real HTTP: what a user of any
 * OpenAI client gets by pointing it at the service. The server sets an API key and protects reads,
 * so every call also proves that the SDK's 'Authorization: Bearer' is accepted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenAiSdkOverHttpTest {

    /** The name the documented examples use, so they run here unedited. */
    private static final String MODEL = "demo";
    private static final String KEY = "sdk-test-key";
    /** Two slots: a request with three prompts needs three, which shows the 503. */
    private static final int SLOTS = 2;
    /**
     * Minutes of generation for the tiny model (a few hundred thousand characters a second), so a
     * slot freed within seconds was freed by cancelling, not by the generation ending.
     */
    private static final int ENDLESS = 100_000_000;

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
        registry.add("charrnn.security.api-key", () -> KEY);
        registry.add("charrnn.security.protect-reads", () -> true);
        registry.add("charrnn.limits.max-concurrent-generations", () -> SLOTS);
        registry.add("charrnn.limits.max-generate-length", () -> ENDLESS);
    }

    @LocalServerPort
    int port;

    @Autowired
    ModelStore models;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = TestSupport.json();
    private OpenAIClient client;

    @BeforeEach
    void trainedModelAndClient() {
        TestSupport.savePatternModel(models, MODEL);
        client = sdk(KEY);
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void listsAndRetrievesTheTrainedModels() {
        List<Model> listed = client.models().list().data();
        assertThat(listed).extracting(Model::id).containsExactly(MODEL);
        Model model = client.models().retrieve(MODEL);
        assertThat(model.id()).isEqualTo(MODEL);
        assertThat(model.ownedBy()).isEqualTo("char-rnn-service");
        assertThat(model.created()).as("the model's createdAt").isEqualTo(1767225600L);
    }

    @Test
    void aGreedyCompletionContinuesTheTrainedSentenceAndCountsCharactersAsTokens() {
        Completion completion = client.completions().create(params("the cat ", 24).temperature(0.0).build());
        CompletionChoice choice = completion.choices().get(0);
        assertThat(choice.text()).isEqualTo("sat on the mat. the cat ");
        assertThat(choice.finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
        assertThat(choice.logprobs()).isEmpty();
        assertThat(completion.model()).isEqualTo(MODEL);
        assertThat(completion.id()).startsWith("cmpl-");
        assertThat(completion._object_()).isEqualTo(JsonValue.from("text_completion"));
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(8);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(24);
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(32);
    }

    @Test
    void nChoicesAreTheSamplesOfApiGenerateWithTheSameSeed() throws Exception {
        Completion completion = client.completions().create(params("the ", 40).n(3).temperature(3.0).seed(11).build());
        List<String> texts = completion.choices().stream().map(CompletionChoice::text).toList();
        assertThat(completion.choices()).extracting(CompletionChoice::index).containsExactly(0L, 1L, 2L);
        assertThat(texts).allSatisfy(text -> assertThat(text.codePointCount(0, text.length())).isEqualTo(40));
        assertThat(texts).as("each choice draws its own random numbers").doesNotHaveDuplicates();
        assertThat(texts).isEqualTo(apiGenerate("{\"prime\":\"the \",\"length\":40,\"n\":3,\"temperature\":3.0,"
                + "\"seed\":11}"));
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(120);
    }

    @Test
    void anArrayOfPromptsGivesNChoicesForEach() throws Exception {
        Completion completion = client.completions().create(CompletionCreateParams.builder().model(MODEL)
                .promptOfArrayOfStrings(List.of("the ", "sat ")).maxTokens(12).n(2).temperature(2.0).seed(4).build());
        assertThat(completion.choices()).hasSize(4);
        List<String> expected = new ArrayList<>(apiGenerate("{\"prime\":\"the \",\"length\":12,\"n\":2,"
                + "\"temperature\":2.0,\"seed\":4}"));
        expected.addAll(apiGenerate("{\"prime\":\"sat \",\"length\":12,\"n\":2,\"temperature\":2.0,\"seed\":4}"));
        assertThat(completion.choices()).extracting(CompletionChoice::text).isEqualTo(expected);
        assertThat(completion.usage().orElseThrow().promptTokens()).as("each prompt once").isEqualTo(8);
    }

    @Test
    void aStopStringEndsTheChoiceAndIsLeftOut() {
        CompletionChoice choice = client.completions().create(params("the cat ", 100).temperature(0.0)
                .stop("mat").build()).choices().get(0);
        assertThat(choice.text()).isEqualTo("sat on the ");
        assertThat(choice.finishReason()).isEqualTo(CompletionChoice.FinishReason.STOP);
    }

    @Test
    void aSeedGivesTheSameTextAgainAndThroughApiGenerate() throws Exception {
        String first = text(client.completions().create(params("the ", 60).temperature(2.5).seed(5).build()));
        assertThat(text(client.completions().create(params("the ", 60).temperature(2.5).seed(5).build())))
                .isEqualTo(first);
        assertThat(text(client.completions().create(params("the ", 60).temperature(2.5).seed(6).build())))
                .as("another seed").isNotEqualTo(first);
        assertThat(apiGenerate("{\"prime\":\"the \",\"length\":60,\"temperature\":2.5,\"seed\":5}"))
                .containsExactly(first);
    }

    @Test
    void topKIsAcceptedAsAnExtensionAndOneMeansGreedy() {
        String greedy = text(client.completions().create(params("the ", 30).temperature(0.0).build()));
        String topOne = text(client.completions().create(params("the ", 30).temperature(5.0).seed(3)
                .putAdditionalBodyProperty("top_k", JsonValue.from(1)).build()));
        assertThat(topOne).isEqualTo(greedy);
    }

    @Test
    void aStreamDeliversEveryChoiceToTheEndAsTheWholeAnswerWould() {
        CompletionCreateParams request = params("the ", 50).n(2).temperature(2.0).seed(9).logprobs(1)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        Map<Long, StringBuilder> streamed = new TreeMap<>();
        Map<Long, CompletionChoice.FinishReason> finished = new TreeMap<>();
        List<Long> piecesAfterTheEnd = new ArrayList<>();
        Map<Long, List<String>> tokens = new TreeMap<>();
        List<Completion> chunks = new ArrayList<>();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(request)) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                for (CompletionChoice piece : chunk.choices()) {
                    if (finished.containsKey(piece.index())) {
                        piecesAfterTheEnd.add(piece.index());
                    }
                    streamed.computeIfAbsent(piece.index(), i -> new StringBuilder()).append(piece.text());
                    tokens.computeIfAbsent(piece.index(), i -> new ArrayList<>())
                            .addAll(piece.logprobs().orElseThrow().tokens().orElseThrow());
                    if (piece._finishReason().asKnown().isPresent()) {
                        finished.put(piece.index(), piece.finishReason());
                    }
                }
            });
        }
        Completion whole = client.completions().create(request);
        assertThat(piecesAfterTheEnd).as("a choice's finish reason comes with its last piece").isEmpty();
        assertThat(streamed.keySet()).containsExactly(0L, 1L);
        for (CompletionChoice choice : whole.choices()) {
            assertThat(streamed.get(choice.index()).toString()).isEqualTo(choice.text());
            assertThat(finished.get(choice.index())).isEqualTo(choice.finishReason());
            assertThat(String.join("", tokens.get(choice.index()))).isEqualTo(choice.text());
        }
        Completion last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(100);
    }

    @Test
    void aStreamAbandonedMidwayStopsItsGenerationAndFreesTheSlot() throws Exception {
        StreamResponse<Completion> stream = client.completions().createStreaming(params("the ", ENDLESS).build());
        Iterator<Completion> chunks = stream.stream().iterator();
        for (int i = 0; i < 5; i++) {
            assertThat(chunks.next().choices().get(0)._finishReason().isNull()).as("still generating").isTrue();
        }
        assertThat(activeGenerations()).isEqualTo(1);
        stream.close();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> activeGenerations() == 0);
    }

    @Test
    void logprobsGiveTheTopAlternativesAndTheSamplersOwnFigures() throws Exception {
        CompletionChoice choice = client.completions().create(params("the ", 30).temperature(1.5).seed(8)
                .logprobs(3).build()).choices().get(0);
        CompletionChoice.Logprobs logprobs = choice.logprobs().orElseThrow();
        List<String> tokens = logprobs.tokens().orElseThrow();
        List<Double> chosen = logprobs.tokenLogprobs().orElseThrow();
        List<Map<String, Double>> top = logprobs.topLogprobs().orElseThrow().stream()
                .map(OpenAiSdkOverHttpTest::numbers).toList();
        assertThat(String.join("", tokens)).isEqualTo(choice.text());
        assertThat(logprobs.textOffset().orElseThrow()).isEqualTo(LongStream.range(0, 30).boxed().toList());
        assertThat(chosen).as("the sampler's own ln p, as /api returns it for the same seed").isEqualTo(apiLogprobs(
                "{\"prime\":\"the \",\"length\":30,\"temperature\":1.5,\"seed\":8,\"returnLogprobs\":true}"));
        for (int i = 0; i < tokens.size(); i++) {
            Map<String, Double> alternatives = top.get(i);
            assertThat(alternatives).as("the 3 most likely, and the chosen one").hasSizeBetween(3, 4)
                    .containsEntry(tokens.get(i), chosen.get(i));
            List<Double> best = alternatives.values().stream().limit(3).toList();
            assertThat(best).as("most likely first").isSortedAccordingTo((a, b) -> Double.compare(b, a));
            assertThat(best.stream().mapToDouble(Math::exp).sum()).isLessThanOrEqualTo(1 + 1e-6);
        }
        assertThat(top).as("a trained model is sure of most characters: the top one holds nearly all the mass")
                .anySatisfy(alternatives -> assertThat(alternatives.values().iterator().next()).isGreaterThan(-0.1));

        CompletionChoice fromNothing = client.completions().create(params("", 10).seed(8).logprobs(0).build())
                .choices().get(0);
        assertThat(fromNothing.logprobs().orElseThrow().tokenLogprobs().orElseThrow())
                .as("an empty prompt starts from the corpus frequencies, as the sampler does")
                .isEqualTo(apiLogprobs("{\"prime\":\"\",\"length\":10,\"seed\":8,\"returnLogprobs\":true}"));
        assertThat(fromNothing.logprobs().orElseThrow().topLogprobs().orElseThrow())
                .as("logprobs 0: only the chosen character").allSatisfy(only -> assertThat(numbers(only)).hasSize(1));
    }

    @Test
    void echoWithMaxTokensZeroScoresThePromptAsScoreDoes() throws Exception {
        String text = Fixtures.repeatedSentence(2);
        Completion completion = client.completions().create(CompletionCreateParams.builder().model(MODEL)
                .prompt(text).maxTokens(0).echo(true).logprobs(0).build());
        CompletionChoice choice = completion.choices().get(0);
        assertThat(choice.text()).isEqualTo(text);
        assertThat(choice.finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
        List<Double> logprobs = choice.logprobs().orElseThrow().tokenLogprobs().orElseThrow();
        assertThat(logprobs).hasSize(text.length());
        assertThat(logprobs.get(0)).as("nothing before the first character").isNull();
        assertThat(logprobs.subList(1, logprobs.size())).doesNotContainNull();
        double natsTotal = logprobs.stream().skip(1).mapToDouble(Double::doubleValue).sum();

        JsonNode score = json.readTree(send(post("/api/models/" + MODEL + "/score", "{\"text\":\"" + text + "\"}"), 200)
                .body());
        double scoreNats = -score.get("bitsPerChar").asDouble() * score.get("scoredChars").asInt() * Math.log(2);
        assertThat(natsTotal).as("the /score figure, to float rounding").isCloseTo(scoreNats, within(1e-3));
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(text.length());
        assertThat(completion.usage().orElseThrow().completionTokens()).isZero();
    }

    @Test
    void echoWithGenerationScoresThePromptThenTheCompletion() throws Exception {
        String prompt = "the cat ";
        CompletionChoice choice = client.completions().create(params(prompt, 10).echo(true).logprobs(1).seed(3)
                .build()).choices().get(0);
        CompletionChoice.Logprobs logprobs = choice.logprobs().orElseThrow();
        List<Double> scored = logprobs.tokenLogprobs().orElseThrow();
        assertThat(choice.text()).startsWith(prompt).hasSize(prompt.length() + 10);
        assertThat(logprobs.textOffset().orElseThrow()).isEqualTo(LongStream.range(0, 18).boxed().toList());
        assertThat(scored.get(0)).isNull();
        assertThat(logprobs.topLogprobs().orElseThrow().get(0)).isNull();
        List<Double> promptOnly = client.completions().create(params(prompt, 0).echo(true).logprobs(0).build())
                .choices().get(0).logprobs().orElseThrow().tokenLogprobs().orElseThrow();
        assertThat(scored.subList(0, prompt.length())).isEqualTo(promptOnly);
        assertThat(scored.subList(prompt.length(), scored.size())).isEqualTo(apiLogprobs(
                "{\"prime\":\"the cat \",\"length\":10,\"seed\":3,\"returnLogprobs\":true}"));

        try (StreamResponse<Completion> stream = client.completions().createStreaming(params(prompt, 10).echo(true)
                .seed(3).build())) {
            String streamed = stream.stream().map(chunk -> chunk.choices().get(0).text()).collect(Collectors.joining());
            assertThat(streamed).isEqualTo(choice.text());
        }
    }

    @Test
    void anUnknownModelIsTheSdksNotFoundException() {
        NotFoundException unknown = catchThrowableOfType(NotFoundException.class,
                () -> client.completions().create(CompletionCreateParams.builder().model("nope").prompt("the ").build()));
        assertThat(unknown.getMessage()).isEqualTo("404: The model 'nope' does not exist. GET /v1/models lists the "
                + "trained ones.");
        assertThat(unknown.code()).hasValue("model_not_found");
        assertThat(unknown.param()).hasValue("model");
        assertThat(catchThrowableOfType(NotFoundException.class, () -> client.models().retrieve("nope")).code())
                .hasValue("model_not_found");
    }

    @Test
    void badFieldsAreTheSdksBadRequestExceptionNamingTheField() {
        assertRefused(params("the ", 5).temperature(-1.0), "temperature",
                "400: temperature must be from 0.0 to 100.0; got -1.0.");
        assertRefused(params("the Zebra", 5), "prompt",
                "400: prompt contains characters the model never saw: 'Z' (U+005A), 'b' (U+0062), 'r' (U+0072). Remove "
                        + "them, or use a model trained on a corpus that has them.");
        assertRefused(params("the ", 0), "max_tokens", "400: max_tokens 0 returns nothing without echo: send echo: "
                + "true to score the prompt, or ask for at least 1 character.");
        assertRefused(params("the ", 5).logprobs(6), "logprobs", "400: logprobs must be between 0 and 5; got 6.");
        BadRequestException unreadable = catchThrowableOfType(BadRequestException.class, () -> client.completions()
                .create(params("the ", 5).putAdditionalBodyProperty("max_tokens", JsonValue.from("lots")).build()));
        assertThat(unreadable.getMessage()).startsWith("400: Malformed request body at 'max_tokens'");
        assertThat(unreadable.param()).hasValue("max_tokens");
        BadRequestException misspelt = catchThrowableOfType(BadRequestException.class, () -> client.completions()
                .create(params("the ", 5).putAdditionalBodyProperty("max_token", JsonValue.from(3)).build()));
        assertThat(misspelt.getMessage()).contains("did you mean 'max_tokens'?");
        assertThat(misspelt.param()).hasValue("max_token");
        assertRefused(params("the ", 5).topP(0.0), "top_p", "400: top_p must be above 0.0 and at most 1.0; got 0.0.");
    }

    @Test
    void fieldsACharacterModelCannotHonourAreRefusedByName() {
        assertRefused(params("the ", 5).bestOf(2), "best_of", "400: best_of must be 1 (got 2): returning the best of "
                + "several samples is not implemented. Ask for n choices with logprobs and rank them yourself.");
        assertRefused(params("the ", 5).suffix(" mat."), "suffix", "400: suffix is not supported: a character RNN only "
                + "continues text left to right, it cannot fill in before a suffix.");
        assertRefused(params("the ", 5).logitBias(CompletionCreateParams.LogitBias.builder()
                .putAdditionalProperty("3", JsonValue.from(5)).build()), "logit_bias",
                "400: logit_bias is not supported. Use stop, top_k or top_p to steer the characters drawn.");
        assertRefused(params("the ", 5).presencePenalty(0.5), "presence_penalty", "400: presence_penalty is not "
                + "supported (got 0.5): send 0 or leave it out; lower the temperature or use stop to curb repetition.");
        assertRefused(params("the ", 5).frequencyPenalty(-1.0), "frequency_penalty", "400: frequency_penalty is not "
                + "supported (got -1.0): send 0 or leave it out; lower the temperature or use stop to curb repetition.");
        assertThat(text(client.completions().create(params("the ", 5).bestOf(1).suffix("").presencePenalty(0.0)
                .frequencyPenalty(0.0).build()))).as("their neutral values are fine").hasSize(5);
    }

    @Test
    void chatCompletionsIsA404PointingToCompletions() {
        NotFoundException chat = catchThrowableOfType(NotFoundException.class, () -> client.chat().completions()
                .create(ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("hello").build()));
        assertThat(chat.getMessage()).contains("Use POST /v1/completions");
    }

    @Test
    void anyOtherV1RouteIsA404SayingWhatThereIs() throws Exception {
        NotFoundException embeddings = catchThrowableOfType(NotFoundException.class, () -> client.embeddings()
                .create(EmbeddingCreateParams.builder().model(MODEL).input("hello").build()));
        assertThat(embeddings.getMessage()).contains("There is no POST /v1/embeddings").contains("POST /v1/completions");
        JsonNode typo = json.readTree(send(post("/v1/completions", "{\"model\":\"demo\",\"prompt\":\"the \","
                + "\"max_token\":5}"), 400).body());
        assertThat(typo.get("error").get("message").asString())
                .startsWith("Unknown field 'max_token' in the request body; did you mean 'max_tokens'?");
    }

    @Test
    void aWrongKeyIsTheSdksUnauthorizedException() throws Exception {
        OpenAIClient wrong = sdk("not-the-key");
        try {
            UnauthorizedException refused = catchThrowableOfType(UnauthorizedException.class,
                    () -> wrong.completions().create(params("the ", 5).build()));
            assertThat(refused.getMessage()).startsWith("401: Missing or wrong API key");
            assertThat(refused.code()).hasValue("invalid_api_key");
        } finally {
            wrong.close();
        }
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(uri("/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(json.readTree(anonymous.body()).get("error").get("type").asString()).isEqualTo("invalid_request_error");
    }

    @Test
    void moreGenerationsThanSlotsIsA503WithRetryAfterAndFreesWhatItTook() throws Exception {
        InternalServerException busy = catchThrowableOfType(InternalServerException.class, () -> client.completions()
                .create(CompletionCreateParams.builder().model(MODEL).promptOfArrayOfStrings(List.of("the ", "cat ",
                        "sat ")).maxTokens(ENDLESS).build()));
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().values("Retry-After")).containsExactly("1");
        assertThat(busy.getMessage()).contains("generation slots are busy");
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> activeGenerations() == 0);
    }

    /** The wire format, read raw: unnamed 'data: ' events of the Completion shape, then 'data: [DONE]'. */
    @Test
    void aStreamIsDataLinesOnlyEndingInDone() throws Exception {
        HttpResponse<String> response = send(post("/v1/completions", "{\"model\":\"demo\",\"prompt\":\"the \","
                + "\"max_tokens\":30,\"stream\":true,\"seed\":2}"), 200);
        List<String> lines = response.body().lines().filter(line -> !line.isEmpty()).toList();
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("data: "));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
        String text = lines.subList(0, lines.size() - 1).stream()
                .map(line -> json.readTree(line.substring(6)))
                .peek(chunk -> assertThat(chunk.get("object").asString()).isEqualTo("text_completion"))
                .map(chunk -> chunk.get("choices").get(0).get("text").asString()).collect(Collectors.joining());
        assertThat(text).isEqualTo(apiGenerate("{\"prime\":\"the \",\"length\":30,\"seed\":2}").get(0));
    }

    /** Swagger UI's examples for /v1/completions, sent unedited, and /v1's errors documented in OpenAI's envelope. */
    @Test
    void theDocumentedExamplesWorkAndTheErrorsAreDocumentedInTheOpenAiEnvelope() throws Exception {
        JsonNode docs = json.readTree(send(HttpRequest.newBuilder(uri("/v3/api-docs")).build(), 200).body());
        JsonNode operation = docs.get("paths").get("/v1/completions").get("post");
        JsonNode examples = operation.get("requestBody").get("content").get("application/json").get("examples");
        assertThat(examples.propertyNames()).hasSizeGreaterThanOrEqualTo(3);
        for (JsonNode example : examples.values()) {
            HttpResponse<String> answer = send(post("/v1/completions", json.writeValueAsString(example.get("value"))), 200);
            assertThat(answer.body()).as(example.get("summary").asString()).contains("text_completion");
        }
        for (String status : List.of("400", "401", "404", "503")) {
            assertThat(operation.get("responses").get(status).get("content").get("application/json").get("schema")
                    .get("$ref").asString()).isEqualTo("#/components/schemas/OpenAiError");
        }
        assertThat(docs.get("components").get("schemas").has("OpenAiError")).isTrue();
    }

    private void assertRefused(CompletionCreateParams.Builder request, String field, String message) {
        BadRequestException refused = catchThrowableOfType(BadRequestException.class,
                () -> client.completions().create(request.build()));
        assertThat(refused).as(field).isNotNull();
        assertThat(refused.getMessage()).isEqualTo(message);
        assertThat(refused.param()).hasValue(field);
        assertThat(refused.type()).hasValue("invalid_request_error");
    }

    private OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + port + "/v1").apiKey(key).maxRetries(0)
                .build();
    }

    private static CompletionCreateParams.Builder params(String prompt, long maxTokens) {
        return CompletionCreateParams.builder().model(MODEL).prompt(prompt).maxTokens(maxTokens);
    }

    private static String text(Completion completion) {
        return completion.choices().get(0).text();
    }

    private static Map<String, Double> numbers(CompletionChoice.Logprobs.TopLogprob top) {
        Map<String, Double> values = new LinkedHashMap<>();
        top._allProperties().forEach((token, value) -> values.put(token, ((Number) value.asNumber().orElseThrow())
                .doubleValue()));
        return values;
    }

    private List<String> apiGenerate(String body) throws Exception {
        JsonNode samples = json.readTree(send(post("/api/models/" + MODEL + "/generate", body), 200).body()).get("samples");
        return IntStream.range(0, samples.size()).mapToObj(i -> samples.get(i).get("text").asString()).toList();
    }

    private List<Double> apiLogprobs(String body) throws Exception {
        JsonNode logprobs = json.readTree(send(post("/api/models/" + MODEL + "/generate", body), 200).body())
                .get("samples").get(0).get("logprobs");
        return IntStream.range(0, logprobs.size()).mapToObj(i -> logprobs.get(i).asDouble()).toList();
    }

    private double activeGenerations() throws Exception {
        JsonNode metric = json.readTree(send(HttpRequest.newBuilder(uri("/actuator/metrics/charrnn.generations.active"))
                .build(), 200).body());
        return metric.get("measurements").get(0).get("value").asDouble();
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json").header("X-API-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> send(HttpRequest request, int status) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(request.uri() + " -> " + response.body()).isEqualTo(status);
        return response;
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
