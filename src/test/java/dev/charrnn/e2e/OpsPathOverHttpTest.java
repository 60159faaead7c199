package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.model.ModelStore;
import dev.charrnn.nn.FusedRecurrentLayer;
import dev.charrnn.nn.LayerPath;
import dev.charrnn.nn.Nd4jOpCount;
import dev.charrnn.nn.SoftmaxOutputLayerImpl;
import dev.charrnn.system.Nd4jRuntime;
import tools.jackson.databind.JsonNode;

/**
 * The whole service with the layers forced onto the ops path, the path a GPU takes, on the CPU:
 * training each cell (with validation and the flow probe during training), scoring, the
 * gradient-flow probe and continuing a model, over real HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "charrnn.compute.layer-path=ops")
@DirtiesContext
class OpsPathOverHttpTest {

    private static final String TEXT = Fixtures.repeatedSentence(80);

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
    }

    @Autowired
    ModelStore models;

    @Autowired
    Nd4jRuntime nd4j;

    private final ServiceHttp http;

    OpsPathOverHttpTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @Test
    void everyCellTrainsValidatesScoresAndContinuesOnTheOpsPath() throws Exception {
        JsonNode path = http.json(http.get("/api/system"), 200).get("computePath");
        assertThat(path.get("layerPath").asString()).isEqualTo("ops");
        assertThat(path.get("setting").asString()).isEqualTo("ops");
        assertThat(path.get("unsupportedGpus")).isEmpty();

        String corpus = http.json(http.post("/api/corpora", "text/plain", TEXT), 201).get("id").asString();
        double uniformBits = Math.log(TEXT.chars().distinct().count()) / Math.log(2);
        for (String cell : new String[] {"RNN", "LSTM", "GRU"}) {
            String model = "ops-" + cell.toLowerCase();
            JsonNode job;
            long matrixProducts;
            try (Nd4jOpCount ops = new Nd4jOpCount()) {
                job = train("{\"corpusId\":\"" + corpus + "\",\"modelName\":\"" + model + "\",\"spec\":{\"cell\":\"" + cell
                        + "\",\"layers\":2,\"hiddenSize\":16,\"seqLength\":16,\"batchSize\":4,\"learningRate\":0.01,"
                        + "\"flowEvery\":30},\"schedule\":{\"maxIterations\":60,\"evalEvery\":30}}");
                matrixProducts = ops.of("matmul");
            }
            assertThat(job.get("valBpc").asDouble()).as(cell).isPositive().isLessThan(0.8 * uniformBits);
            // the host path multiplies with OpenBLAS directly; here every step of both layers is an ND4J matmul
            assertThat(matrixProducts).as("%s: ND4J matrix products in 60 iterations", cell).isGreaterThan(60L * 2 * 16 * 2);
            assertOnTheOpsPath(model);

            JsonNode score = http.json(http.postJson("/api/models/" + model + "/score",
                    "{\"text\":\"the cat sat on the mat.\"}"), 200);
            assertThat(score.get("scoredChars").asInt()).isEqualTo(22);
            assertThat(score.get("bitsPerChar").asDouble()).as(cell).isPositive().isLessThan(uniformBits);

            JsonNode flow = http.json(http.postJson("/api/models/" + model + "/gradient-flow", "{\"steps\":20}"), 200);
            assertThat(flow.get("inputGradientNorms")).hasSize(20);
            assertThat(flow.get("inputGradientNorms").get(19).asDouble()).isPositive();
            assertThat(flow.get("hiddenGradientNorms")).hasSize(2);
            assertThat(flow.get("hiddenGradientNorms").get(1).get(19).asDouble()).isPositive();
        }

        JsonNode continued = train("{\"fromModel\":\"ops-lstm\",\"schedule\":{\"maxIterations\":20,\"evalEvery\":20}}");
        assertThat(continued.get("iteration").asLong()).isEqualTo(80);
        assertThat(continued.get("valBpc").asDouble()).isPositive().isLessThan(uniformBits);
        assertOnTheOpsPath("ops-lstm");
    }

    /** A session of the stored model, as scoring and the flow probe take one, computes on the ops path. */
    private void assertOnTheOpsPath(String model) {
        for (Layer layer : models.load(model).newSession(nd4j.compute()).getLayers()) {
            LayerPath path = layer instanceof FusedRecurrentLayer<?> recurrent ? recurrent.layerPath()
                    : ((SoftmaxOutputLayerImpl) layer).layerPath();
            assertThat(path).as("%s layer %d", model, layer.getIndex()).isEqualTo(LayerPath.OPS);
        }
    }

    private JsonNode train(String request) throws Exception {
        String location = "/api/training-jobs/" + http.json(http.postJson("/api/training-jobs", request), 202)
                .get("id").asString();
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                .until(() -> !http.json(http.get(location), 200).get("state").asString().matches("QUEUED|RUNNING"));
        JsonNode job = http.json(http.get(location), 200);
        assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        return job;
    }
}
