package dev.charrnn.generation;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import dev.charrnn.ApiSlice;
import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.corpus.CorpusStore;
import dev.charrnn.model.ModelArchive;
import dev.charrnn.model.ModelController;
import dev.charrnn.model.ModelSpecValidator;
import dev.charrnn.model.ModelStore;
import dev.charrnn.system.InteractiveRequests;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.system.SseChannels;
import dev.charrnn.system.SystemController;
import dev.charrnn.training.JobStore;
import dev.charrnn.training.SparkTrainer;
import dev.charrnn.training.TrainingService;

/** Generation and the model registry over MockMvc, on a real model trained and saved in the test. */
@ApiSlice({GenerationController.class, ModelController.class, SystemController.class})
@Import({CorpusStore.class, ModelStore.class, ModelArchive.class, ModelSpecValidator.class, TrainingService.class,
        JobStore.class, SparkTrainer.class, GenerationService.class, Nd4jRuntime.class, SseChannels.class,
        InteractiveRequests.class})
class GenerationApiTest {

    private static final String MODEL = "gen-test";

    @Autowired
    MockMvc mvc;

    @Autowired
    ModelStore models;

    @BeforeEach
    void saveATrainedModel() {
        TestSupport.savePatternModel(models, MODEL);
    }

    @Test
    void generatesTheRequestedLengthAndRepeatsForTheSameSeed() throws Exception {
        String body = "{\"prime\":\"the cat \",\"length\":80,\"temperature\":0.9,\"seed\":5}";
        String first = generate(MODEL, body).andExpect(status().isOk())
                .andExpect(jsonPath("$.model").value(MODEL))
                .andExpect(jsonPath("$.seed").value(5))
                .andExpect(jsonPath("$.samples[0].finishReason").value("length"))
                .andExpect(jsonPath("$.samples[0].text", org.hamcrest.Matchers.hasLength(80)))
                .andReturn().getResponse().getContentAsString();
        String again = generate(MODEL, body).andReturn().getResponse().getContentAsString();
        String text = JsonPath.read(first, "$.samples[0].text");
        org.assertj.core.api.Assertions.assertThat((String) JsonPath.read(again, "$.samples[0].text")).isEqualTo(text);
    }

    @Test
    void greedyGenerationFollowsTheTrainedPattern() throws Exception {
        generate(MODEL, "{\"prime\":\"the cat sat \",\"length\":12,\"temperature\":0}")
                .andExpect(jsonPath("$.samples[0].text").value("on the mat. "));
    }

    @Test
    void withoutABodyItUsesDefaultsAndReturnsTheRandomSeed() throws Exception {
        mvc.perform(post("/api/models/" + MODEL + "/generate"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.samples[0].text", org.hamcrest.Matchers.hasLength(200)))
                .andExpect(jsonPath("$.seed").isNumber());
    }

    @Test
    void primeCharactersOutsideTheVocabularyAreNamed() throws Exception {
        expectProblem(generate(MODEL, "{\"prime\":\"the Zebra\"}"), 400, "'Z' (U+005A)");
    }

    @Test
    void rejectsOutOfRangeControls() throws Exception {
        expectProblem(generate(MODEL, "{\"length\":0}"), 400, "length");
        expectProblem(generate(MODEL, "{\"length\":501}"), 400, "max-generate-length");
        expectProblem(generate(MODEL, "{\"temperature\":-1}"), 400, "temperature");
        expectProblem(generate(MODEL, "{\"length\":\"many\"}"), 400, "length");
    }

    @Test
    void unknownOrInvalidModelNames() throws Exception {
        expectProblem(generate("no-such-model", "{}"), 404, "no-such-model");
        expectProblem(generate("bad name!", "{}"), 400, "Invalid model name");
    }

    @Test
    void registryListsShowsAndDeletes() throws Exception {
        mvc.perform(get("/api/models"))
                .andExpect(jsonPath("$[*].name", hasItem(MODEL)))
                .andExpect(jsonPath("$[?(@.name=='" + MODEL + "')].cell", hasItem("LSTM")));
        mvc.perform(get("/api/models/" + MODEL))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.vocabulary.length()").value(Fixtures.patternText().vocabulary().size()))
                .andExpect(jsonPath("$.spec.hiddenSize").value(32));
        mvc.perform(delete("/api/models/" + MODEL)).andExpect(status().isNoContent());
        expectProblem(mvc.perform(get("/api/models/" + MODEL)), 404, MODEL);
        expectProblem(mvc.perform(delete("/api/models/" + MODEL)), 404, MODEL);
    }

    @Test
    void systemReportsTheBackendAndThreads() throws Exception {
        mvc.perform(get("/api/system"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.backend").value("CPU"))
                .andExpect(jsonPath("$.ompThreads").value(1))
                .andExpect(jsonPath("$.stepThreads").value(Runtime.getRuntime().availableProcessors()))
                .andExpect(jsonPath("$.computePath.layerPath").value("host"))
                .andExpect(jsonPath("$.computePath.setting").value("auto"))
                .andExpect(jsonPath("$.computePath.unsupportedGpus").isEmpty())
                .andExpect(jsonPath("$.versions.deeplearning4j").value("1.0.0-M2.1"))
                .andExpect(jsonPath("$.memory.heapMax").isNumber());
    }

    @Test
    void samplingControlsOverTheApi() throws Exception {
        generate(MODEL, "{\"prime\":\"the cat\",\"length\":40,\"temperature\":0,\"stop\":[\" on\"]}")
                .andExpect(jsonPath("$.samples[0].text").value(" sat"))
                .andExpect(jsonPath("$.samples[0].finishReason").value("stop"));
        generate(MODEL, "{\"prime\":\"the \",\"length\":10,\"n\":3,\"topK\":3,\"topP\":0.9,\"seed\":1,"
                + "\"returnLogprobs\":true}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.samples.length()").value(3))
                .andExpect(jsonPath("$.samples[2].logprobs.length()").value(10));
        generate(MODEL, "{\"prime\":\"the Zebra\",\"unknownChars\":\"skip\",\"length\":5,\"temperature\":0}")
                .andExpect(status().isOk());
        generate(MODEL, "{\"length\":5}").andExpect(jsonPath("$.samples[0].logprobs").doesNotExist());
        generate(MODEL, "{\"prime\":\"the cat\",\"length\":40,\"temperature\":0,\"stop\":\" on\"}")
                .andExpect(jsonPath("$.samples[0].text").value(" sat"));
    }

    @Test
    void rejectsInvalidSamplingControls() throws Exception {
        expectProblem(generate(MODEL, "{\"topP\":0}"), 400, "topP");
        expectProblem(generate(MODEL, "{\"topP\":1.5}"), 400, "topP");
        expectProblem(generate(MODEL, "{\"topK\":0}"), 400, "topK");
        expectProblem(generate(MODEL, "{\"n\":5}"), 400, "max-samples");
        expectProblem(generate(MODEL, "{\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"), 400, "stop");
        expectProblem(generate(MODEL, "{\"stop\":[\"\"]}"), 400, "stop");
        expectProblem(generate(MODEL, "{\"unknownChars\":\"maybe\"}"), 400, "unknownChars");
        expectProblem(generate(MODEL, "{\"seed\":\"abc\"}"), 400, "seed");
        expectProblem(generate(MODEL, "{\"stop\":{\"a\":1}}"), 400, "Malformed request body at 'stop'");
        expectProblem(generate(MODEL, "{\"prime\":\"ab\",\"lenght\":20}"), 400,
                "Unknown field 'lenght' in the request body; did you mean 'length'? The fields here are: ");
        expectProblem(generate(MODEL, "{\"colour\":1}"), 400, "Unknown field 'colour' in the request body. The fields");
    }

    @Test
    void scoresKnownTextBelowNoiseAndCanReportEveryCharacter() throws Exception {
        double known = JsonPath.<Number>read(score("{\"text\":\"" + Fixtures.repeatedSentence(2) + "\"}")
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(), "$.bitsPerChar").doubleValue();
        double noise = JsonPath.<Number>read(score("{\"text\":\"tmhe.sa t oc\",\"perCharacter\":true}")
                .andExpect(jsonPath("$.surprisal.length()").value(11))
                .andExpect(jsonPath("$.surprisal[0].character").value("m"))
                .andReturn().getResponse().getContentAsString(), "$.bitsPerChar").doubleValue();
        org.assertj.core.api.Assertions.assertThat(known).isLessThan(noise / 2);
        expectProblem(score("{\"text\":\"t\"}"), 400, "text length");
        expectProblem(score("{}"), 400, "text");
        expectProblem(score("{\"text\":\"the Zoo\"}"), 400, "'Z'");
    }

    @Test
    void aDownloadedModelImportsUnderANewNameAndGeneratesTheSame() throws Exception {
        byte[] zip = download(MODEL);
        String copy = MODEL + "-copy-" + System.nanoTime();
        mvc.perform(multipart("/api/models/" + copy + "/import").file(new MockMultipartFile("file", "m.zip", "application/zip", zip)))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.name").value(copy));
        String body = "{\"prime\":\"the \",\"length\":50,\"seed\":9}";
        String original = JsonPath.read(generate(MODEL, body).andReturn().getResponse().getContentAsString(), "$.samples[0].text");
        generate(copy, body).andExpect(jsonPath("$.samples[0].text").value(original));
        expectProblem(mvc.perform(multipart("/api/models/" + copy + "/import")
                .file(new MockMultipartFile("file", "m.zip", "application/zip", zip))), 409, copy);
    }

    @Test
    void brokenArchivesAreRejectedAndLeaveNothingBehind() throws Exception {
        byte[] zip = download(MODEL);
        byte[] truncated = java.util.Arrays.copyOf(zip, zip.length / 2);
        byte[] noise = new byte[4096];
        new java.util.Random(1).nextBytes(noise);
        java.io.ByteArrayOutputStream foreign = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(foreign)) {
            out.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            out.write("not a model".getBytes());
        }
        for (byte[] broken : new byte[][] {truncated, noise, foreign.toByteArray(), new byte[0]}) {
            String name = "broken-" + System.nanoTime();
            expectProblem(mvc.perform(multipart("/api/models/" + name + "/import")
                    .file(new MockMultipartFile("file", "m.zip", "application/zip", broken))), 400, "");
            expectProblem(mvc.perform(get("/api/models/" + name)), 404, name);
            org.assertj.core.api.Assertions.assertThat(models.directory(name).getParent().toFile().list())
                    .noneMatch(f -> f.startsWith(".import-") || f.equals(name));
        }
    }

    /** The download streams its body asynchronously: let MockMvc finish the async dispatch. */
    private byte[] download(String model) throws Exception {
        org.springframework.test.web.servlet.MvcResult started = mvc.perform(get("/api/models/" + model + "/download"))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.request().asyncStarted())
                .andReturn();
        return mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch(started))
                .andExpect(status().isOk())
                .andExpect(content().contentType("application/zip"))
                .andReturn().getResponse().getContentAsByteArray();
    }

    private ResultActions score(String json) throws Exception {
        return mvc.perform(post("/api/models/" + MODEL + "/score").contentType(MediaType.APPLICATION_JSON).content(json));
    }

    private ResultActions generate(String model, String json) throws Exception {
        return mvc.perform(post("/api/models/" + model + "/generate").contentType(MediaType.APPLICATION_JSON).content(json));
    }

    private static void expectProblem(ResultActions result, int status, String detail) throws Exception {
        result.andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail", containsString(detail)));
    }
}
