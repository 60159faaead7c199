package dev.charrnn.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.jayway.jsonpath.JsonPath;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import dev.charrnn.ApiSlice;
import dev.charrnn.Fixtures;
import dev.charrnn.corpus.CorpusStore;
import dev.charrnn.generation.GenerationService;
import dev.charrnn.gradients.ExperimentController;
import dev.charrnn.gradients.GradientController;
import dev.charrnn.gradients.GradientService;
import dev.charrnn.model.ModelArchive;
import dev.charrnn.model.ModelController;
import dev.charrnn.model.ModelSpecValidator;
import dev.charrnn.model.ModelStore;
import dev.charrnn.system.InteractiveRequests;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.system.SseChannels;

@ApiSlice({TrainingController.class, ExperimentController.class, GradientController.class, ModelController.class})
@Import({CorpusStore.class, ModelStore.class, ModelArchive.class, ModelSpecValidator.class, TrainingService.class,
        JobStore.class, SparkTrainer.class, GenerationService.class, Nd4jRuntime.class, SseChannels.class,
        InteractiveRequests.class, GradientService.class})
class TrainingApiTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    CorpusStore corpora;

    private String corpusId;

    @BeforeEach
    void storeCorpus() {
        corpusId = corpora.store("pattern", Fixtures.repeatedSentence(60).getBytes()).id();
    }

    @Test
    void acceptsAJobAt202AndTrainsItToAStoredModel() throws Exception {
        String name = "m-" + UUID.randomUUID().toString().substring(0, 8);
        String location = submit(request(name, "\"cell\":\"LSTM\",\"layers\":1,\"hiddenSize\":16,\"seqLength\":16,"
                + "\"batchSize\":4,\"seed\":3", "\"maxIterations\":30,\"evalEvery\":10"))
                .andExpect(status().isAccepted())
                .andExpect(header().string("Location", containsString("/api/training-jobs/")))
                .andExpect(jsonPath("$.modelName").value(name))
                .andExpect(jsonPath("$.state").value(org.hamcrest.Matchers.oneOf("QUEUED", "RUNNING")))
                .andReturn().getResponse().getHeader("Location");

        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                "SUCCEEDED".equals(JsonPath.read(mvc.perform(get(location)).andReturn().getResponse()
                        .getContentAsString(), "$.state")));

        mvc.perform(get(location))
                .andExpect(jsonPath("$.iteration").value(30))
                .andExpect(jsonPath("$.progress").value(1.0))
                .andExpect(jsonPath("$.trainLoss").isNumber())
                .andExpect(jsonPath("$.valBpc").isNumber())
                .andExpect(jsonPath("$.charsPerSecond").isNumber());
        mvc.perform(get("/api/training-jobs")).andExpect(jsonPath("$[*].modelName", hasItem(name)));
        mvc.perform(get("/api/models/" + name))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.corpusId").value(corpusId))
                .andExpect(jsonPath("$.metrics.iteration").value(30))
                .andExpect(jsonPath("$.history.length()").value(3));
        submit(request(name, "\"layers\":1,\"hiddenSize\":16,\"seqLength\":16,\"batchSize\":4", "\"maxIterations\":5"))
                .andExpect(status().isConflict());
        mvc.perform(post(location + "/cancel")).andExpect(status().isConflict());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "zero hidden size       | \"hiddenSize\":0                    | hiddenSize",
            "hidden size over limit | \"hiddenSize\":5000                 | spec.hiddenSize must be between 1 and 1024",
            "too many layers        | \"layers\":9                        | spec.layers must be between 1 and 4",
            "negative batch         | \"batchSize\":-4                    | batchSize",
            "dropout of one         | \"dropout\":1.0                     | dropout",
            "learning rate NaN      | \"learningRate\":\"NaN\"            | learningRate",
            "zero learning rate     | \"learningRate\":0                  | learningRate",
            "unknown cell           | \"cell\":\"TRANSFORMER\"            | cell",
            "misspelt field         | \"hiddenSise\":64                   | hiddenSise",
            "fractional hidden size | \"hiddenSize\":3.7                  | spec.hiddenSize",
            "huge hidden size       | \"hiddenSize\":1e100                | spec.hiddenSize",
            "unknown optimizer      | \"optimizer\":\"LBFGS\"           | optimizer",
            "negative clip          | \"gradientClipping\":{\"threshold\":-1} | gradientClipping.threshold",
            "unknown clip mode      | \"gradientClipping\":{\"mode\":\"HARD\"} | mode",
            "decay factor above one | \"learningRateDecay\":{\"factor\":1.5} | learningRateDecay.factor",
            "window longer than corpus streams | \"batchSize\":32,\"seqLength\":100 | Lower batchSize or seqLength",
            "network too big for memory | \"layers\":4,\"hiddenSize\":1024,\"batchSize\":512,\"seqLength\":1000 | MB to train"})
    void rejectsAnInvalidSpecNamingTheField(String label, String specFields, String expectedDetail) throws Exception {
        expectProblem(submit(request("ok-name", specFields, "\"maxIterations\":5")), 400, expectedDetail);
    }

    @Test
    void rejectsInvalidSchedules() throws Exception {
        expectProblem(submit(request("ok-name", "\"batchSize\":4,\"seqLength\":16", "\"maxIterations\":0")), 400,
                "maxIterations");
        expectProblem(submit(request("ok-name", "\"batchSize\":4,\"seqLength\":16", "\"validationFraction\":0.9")), 400,
                "validationFraction");
        expectProblem(submit(request("ok-name", "\"batchSize\":4,\"seqLength\":16", "\"maxDuration\":\"forever\"")), 400,
                "schedule.maxDuration");
        expectProblem(submit(request("ok-name", "\"batchSize\":4,\"seqLength\":16", "\"maxDuration\":\"-PT5S\"")), 400,
                "must be positive");
    }

    @ParameterizedTest
    @CsvSource({"../escape", "a/b", "with space", "'.'", "..", "x123456789x123456789x123456789x123456789x123456789x123456789xxxxx"})
    void rejectsUnsafeModelNames(String name) throws Exception {
        expectProblem(submit(request(name, "\"batchSize\":4,\"seqLength\":16", "\"maxIterations\":5")), 400,
                "Invalid model name");
    }

    @Test
    void continuesAModelWithFromModelAndRefusesANewSpecForIt() throws Exception {
        String name = "c-" + UUID.randomUUID().toString().substring(0, 8);
        awaitSucceeded(submit(request(name, "\"layers\":1,\"hiddenSize\":16,\"seqLength\":16,\"batchSize\":4",
                "\"maxIterations\":20,\"evalEvery\":10")));

        expectProblem(submit("{\"fromModel\":\"" + name + "\",\"spec\":{\"hiddenSize\":8}}"), 400, "spec cannot be changed");
        expectProblem(submit("{\"fromModel\":\"no-such-model\"}"), 404, "no-such-model");
        String continued = awaitSucceeded(submit("{\"fromModel\":\"" + name + "\",\"schedule\":{\"maxIterations\":10,"
                + "\"evalEvery\":5}}"));

        String model = mvc.perform(get("/api/models/" + name))
                .andExpect(jsonPath("$.history[*].iteration", org.hamcrest.Matchers.contains(10, 20, 25, 30)))
                .andExpect(jsonPath("$.spec.hiddenSize").value(16))
                .andReturn().getResponse().getContentAsString();
        String job = mvc.perform(get(continued)).andReturn().getResponse().getContentAsString();
        assertThat(((Number) JsonPath.read(job, "$.bestValBpc")).doubleValue()).as("the job's best is the weights kept")
                .isEqualTo(((Number) JsonPath.read(model, "$.metrics.valBpc")).doubleValue());

        String running = submit("{\"fromModel\":\"" + name + "\",\"schedule\":{\"maxIterations\":100000}}")
                .andReturn().getResponse().getHeader("Location");
        expectProblem(mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders
                .delete("/api/models/" + name)), 409, "being written");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> JsonPath.read(mvc.perform(get(running))
                .andReturn().getResponse().getContentAsString(), "$.state").equals("RUNNING"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> JsonPath.read(mvc.perform(get(running))
                .andReturn().getResponse().getContentAsString(), "$.etaSeconds") != null);
        mvc.perform(post(running + "/cancel")).andExpect(status().isOk());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> JsonPath.read(mvc.perform(get(running))
                .andReturn().getResponse().getContentAsString(), "$.state").equals("CANCELLED"));
    }

    @Test
    void gradientStatisticsAndFlowAreServedForJobsAndModels() throws Exception {
        String name = "g-" + UUID.randomUUID().toString().substring(0, 8);
        String location = submit(request(name, "\"cell\":\"GRU\",\"layers\":1,\"hiddenSize\":16,\"seqLength\":16,"
                + "\"batchSize\":4,\"statsEvery\":5", "\"maxIterations\":20,\"evalEvery\":10"))
                .andReturn().getResponse().getHeader("Location");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> JsonPath.read(mvc.perform(get(location))
                .andReturn().getResponse().getContentAsString(), "$.state").equals("SUCCEEDED"));

        mvc.perform(get(location + "/gradients"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[*].iteration", org.hamcrest.Matchers.contains(5, 10, 15, 20)))
                .andExpect(jsonPath("$[0].params[?(@.param == 'RW:u')].norm").isNotEmpty())
                .andExpect(jsonPath("$[0].spectrum[*].param", org.hamcrest.Matchers.contains("RW:r", "RW:u", "RW:c")))
                .andExpect(jsonPath("$[0].spectrum[*].gamma", org.hamcrest.Matchers.contains(0.25, 0.25, 1.0)))
                .andExpect(jsonPath("$[0].spectrum[0].lambda1").isNumber())
                .andExpect(jsonPath("$[0].spectrum[0].regime", org.hamcrest.Matchers.oneOf("VANISHING", "CAN_EXPLODE")))
                .andExpect(jsonPath("$[0].spectrum[0].reading", containsString("1/gamma = 4")))
                .andExpect(jsonPath("$[0].saturation[*].gate", org.hamcrest.Matchers.contains("r", "u", "c")))
                .andExpect(jsonPath("$[0].saturation[*].activation", org.hamcrest.Matchers.contains("sigmoid", "sigmoid", "tanh")));
        mvc.perform(get(location + "/gradients").param("from", "10").param("to", "15").param("layer", "1"))
                .andExpect(jsonPath("$[*].iteration", org.hamcrest.Matchers.contains(10, 15)))
                .andExpect(jsonPath("$[0].params[*].layer", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.is(1))))
                .andExpect(jsonPath("$[0].spectrum.length()").value(0))
                .andExpect(jsonPath("$[0].saturation.length()").value(0));
        mvc.perform(get(location + "/gradients").param("layer", "0"))
                .andExpect(jsonPath("$[0].spectrum.length()").value(3));
        String csv = mvc.perform(get(location + "/gradients").param("format", "csv"))
                .andExpect(content().contentTypeCompatibleWith("text/csv")).andReturn().getResponse().getContentAsString();
        List<String> lines = csv.lines().toList();
        org.assertj.core.api.Assertions.assertThat(lines.get(0)).startsWith("iteration,globalNorm")
                .endsWith(",lambda1,gamma,regime,saturationLeft,saturationRight,saturated,meanActivation");
        int columns = lines.get(0).split(",", -1).length;
        org.assertj.core.api.Assertions.assertThat(lines).allSatisfy(line ->
                org.assertj.core.api.Assertions.assertThat(line.split(",", -1)).hasSize(columns));
        org.assertj.core.api.Assertions.assertThat(lines).filteredOn(line -> line.startsWith("5,") && line.contains(",0,RW:c,"))
                .singleElement().satisfies(line -> org.assertj.core.api.Assertions.assertThat(line.split(",", -1)[14])
                        .isIn("VANISHING", "CAN_EXPLODE"));
        org.assertj.core.api.Assertions.assertThat(lines).filteredOn(line -> line.contains(",0,act:u,")).hasSize(4)
                .allSatisfy(line -> org.assertj.core.api.Assertions.assertThat(Double.parseDouble(line.split(",")[
                        columns - 1])).isBetween(0.0, 1.0));
        mvc.perform(get(location))
                .andExpect(jsonPath("$.bestValBpc").isNumber())
                .andExpect(jsonPath("$.bestIteration").value(org.hamcrest.Matchers.oneOf(10, 20)));
        mvc.perform(get("/api/models/" + name + "/gradients"))
                .andExpect(jsonPath("$[*].iteration", org.hamcrest.Matchers.contains(5, 10, 15, 20)));
        expectProblem(mvc.perform(get(location + "/gradients").param("format", "xml")), 400, "format");

        mvc.perform(post("/api/models/" + name + "/gradient-flow").contentType(MediaType.APPLICATION_JSON).content("{\"steps\":30}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.inputGradientNorms.length()").value(30))
                .andExpect(jsonPath("$.hiddenGradientNorms.length()").value(1))
                .andExpect(jsonPath("$.hiddenGradientNorms[0].length()").value(30))
                .andExpect(jsonPath("$.firstToLastRatio").isNumber())
                .andExpect(jsonPath("$.contraction.length()").value(1))
                .andExpect(jsonPath("$.contraction[0].ratios.length()").value(29))
                .andExpect(jsonPath("$.contraction[0].geometricMean").isNumber())
                .andExpect(jsonPath("$.contraction[0].lambda1").isNumber())
                .andExpect(jsonPath("$.contraction[0].meanForget").doesNotExist());
        mvc.perform(post("/api/models/" + name + "/gradient-flow"))
                .andExpect(jsonPath("$.steps").value(100));
        expectProblem(mvc.perform(post("/api/models/" + name + "/gradient-flow").contentType(MediaType.APPLICATION_JSON)
                .content("{\"text\":\"the cat\",\"steps\":50}")), 400, "at least 51");
        expectProblem(mvc.perform(post("/api/models/" + name + "/gradient-flow").contentType(MediaType.APPLICATION_JSON)
                .content("{\"text\":\"QQQ\"}")), 400, "'Q'");
    }

    @Test
    void aCellComparisonTrainsTheThreeCellsSideBySide() throws Exception {
        String prefix = "cmp-" + UUID.randomUUID().toString().substring(0, 6);
        String location = mvc.perform(post("/api/experiments/cell-comparison").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"corpusId\":\"" + corpusId + "\",\"namePrefix\":\"" + prefix + "\",\"spec\":{\"layers\":1,"
                                + "\"hiddenSize\":16,\"seqLength\":16,\"batchSize\":4,\"flowEvery\":20},"
                                + "\"schedule\":{\"maxIterations\":40,\"evalEvery\":20}}"))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.runs[*].cell", org.hamcrest.Matchers.contains("RNN", "LSTM", "GRU")))
                .andReturn().getResponse().getHeader("Location");
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> JsonPath
                .<List<String>>read(mvc.perform(get(location)).andReturn().getResponse().getContentAsString(), "$.runs[*].state")
                .stream().allMatch("SUCCEEDED"::equals));
        mvc.perform(get(location))
                .andExpect(jsonPath("$.runs[*].model", org.hamcrest.Matchers.contains(prefix + "-rnn", prefix + "-lstm", prefix + "-gru")))
                .andExpect(jsonPath("$.runs[*].valBpc", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.notNullValue())))
                .andExpect(jsonPath("$.runs[0].flow.length()").value(16))
                .andExpect(jsonPath("$.runs[2].flowRatio").isNumber());
        expectProblem(mvc.perform(get("/api/experiments/cell-comparison/nope")), 404, "nope");
    }

    @Test
    void aJobsHistoryHoldsItsRunFromTheFirstIteration() throws Exception {
        String name = "h-" + UUID.randomUUID().toString().substring(0, 8);
        String location = awaitSucceeded(submit(request(name, "\"cell\":\"RNN\",\"layers\":1,\"hiddenSize\":16,"
                + "\"seqLength\":16,\"batchSize\":4,\"flowEvery\":10", "\"maxIterations\":30,\"evalEvery\":10")));

        mvc.perform(get(location + "/history"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.evaluations[*].iteration", org.hamcrest.Matchers.contains(10, 20, 30)))
                .andExpect(jsonPath("$.evaluations[*].valBpc", org.hamcrest.Matchers.everyItem(
                        org.hamcrest.Matchers.notNullValue())))
                .andExpect(jsonPath("$.steps.length()").value(30))
                .andExpect(jsonPath("$.steps[0].iteration").value(1))
                .andExpect(jsonPath("$.steps[0].trainLoss").isNumber())
                .andExpect(jsonPath("$.steps[29].iteration").value(30))
                .andExpect(jsonPath("$.flow.iteration").value(30))
                .andExpect(jsonPath("$.flow.inputGradientNorms.length()").value(16))
                .andExpect(jsonPath("$.flow.firstToLastRatio").isNumber())
                .andExpect(jsonPath("$.flows[*].iteration", org.hamcrest.Matchers.contains(10, 20, 30)))
                .andExpect(jsonPath("$.flows[2].contraction.length()").value(1))
                .andExpect(jsonPath("$.flows[2].contraction[0]").value(org.hamcrest.Matchers.closeTo(((Number) JsonPath.read(
                        mvc.perform(get(location + "/history")).andReturn().getResponse().getContentAsString(),
                        "$.flow.contraction[0].geometricMean")).doubleValue(), 1e-12)));
        expectProblem(mvc.perform(get("/api/training-jobs/nope/history")), 404, "nope");
    }

    @Test
    void theDefaultsAreWhatAJobGetsForFieldsItLeavesOut() throws Exception {
        mvc.perform(get("/api/training-jobs/defaults"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.spec.cell").value("LSTM"))
                .andExpect(jsonPath("$.spec.hiddenSize").value(128))
                .andExpect(jsonPath("$.spec.seqLength").value(100))
                .andExpect(jsonPath("$.spec.gradientClipping.mode").value("GLOBAL_L2"))
                .andExpect(jsonPath("$.spec.gradientClipping.threshold").value(5.0))
                .andExpect(jsonPath("$.schedule.maxIterations").value(1000))
                .andExpect(jsonPath("$.schedule.evalEvery").value(100));
    }

    @Test
    void aDurationBoundIsAcceptedInIso8601() throws Exception {
        String name = "d-" + UUID.randomUUID().toString().substring(0, 8);
        awaitSucceeded(submit(request(name, "\"layers\":1,\"hiddenSize\":8,\"seqLength\":16,\"batchSize\":4",
                "\"maxDuration\":\"PT1S\",\"evalEvery\":1000")));
        mvc.perform(get("/api/models/" + name)).andExpect(jsonPath("$.metrics.iteration").isNumber());
    }

    /** Waits for the submitted job to end, expects it SUCCEEDED and answers its location. */
    private String awaitSucceeded(ResultActions submitted) throws Exception {
        String location = submitted.andExpect(status().isAccepted()).andReturn().getResponse().getHeader("Location");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                !JsonPath.read(mvc.perform(get(location)).andReturn().getResponse().getContentAsString(), "$.state")
                        .toString().matches("QUEUED|RUNNING"));
        mvc.perform(get(location)).andExpect(jsonPath("$.state").value("SUCCEEDED"));
        return location;
    }

    @Test
    void unknownCorpusIsA404() throws Exception {
        expectProblem(submit("{\"corpusId\":\"nope\",\"modelName\":\"x\"}"), 404, "nope");
    }

    @Test
    void malformedOrMissingBodiesAreA400() throws Exception {
        expectProblem(submit("{\"corpusId\": "), 400, "Malformed request body");
        expectProblem(submit("[1,2]"), 400, "Malformed request body");
        expectProblem(submit("{\"modelName\":\"x\"}"), 400, "corpusId");
        expectProblem(mvc.perform(post("/api/training-jobs").contentType(MediaType.APPLICATION_JSON)), 400, "missing");
        expectProblem(mvc.perform(post("/api/training-jobs").contentType(MediaType.TEXT_PLAIN).content("x")), 415, "");
    }

    @Test
    void unknownJobIsA404() throws Exception {
        expectProblem(mvc.perform(get("/api/training-jobs/nope")), 404, "nope");
        expectProblem(mvc.perform(post("/api/training-jobs/nope/cancel")), 404, "nope");
    }

    private String request(String modelName, String specFields, String scheduleFields) {
        return "{\"corpusId\":\"" + corpusId + "\",\"modelName\":\"" + modelName + "\",\"spec\":{" + specFields
                + "},\"schedule\":{" + scheduleFields + "}}";
    }

    private ResultActions submit(String json) throws Exception {
        return mvc.perform(post("/api/training-jobs").contentType(MediaType.APPLICATION_JSON).content(json));
    }

    private static void expectProblem(ResultActions result, int status, String detail) throws Exception {
        result.andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail", containsString(detail)));
    }
}
