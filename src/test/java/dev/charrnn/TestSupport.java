package dev.charrnn;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.util.unit.DataSize;

import dev.charrnn.model.ModelMetadata;
import dev.charrnn.model.ModelStore;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.LayerPath;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingSchedule;
import tools.jackson.databind.json.JsonMapper;

/** Small shared fixtures: configuration over a temp dir and texts generated in code. */
public final class TestSupport {

    /** A sentence with a 24-character cycle: after a little context every next character is certain. */
    public static final String SENTENCE = "the cat sat on the mat. ";

    private TestSupport() {
    }

    public static CharRnnProperties properties(Path root) {
        return properties(root, limits(DataSize.ofMegabytes(1), 2000));
    }

    public static CharRnnProperties properties(Path root, CharRnnProperties.Limits limits) {
        return new CharRnnProperties(new CharRnnProperties.Storage(root.resolve("corpora"), root.resolve("models")),
                limits, new CharRnnProperties.Compute(1, 1, 0, LayerPath.AUTO), new CharRnnProperties.Generation(2),
                new CharRnnProperties.Security("", false), new CharRnnProperties.Jobs(1, false, java.time.Duration.ofSeconds(20), true),
                new CharRnnProperties.Events(256, java.time.Duration.ofSeconds(30)), CharRnnProperties.Spark.unconfigured());
    }

    /** The service's default limits but for the corpus size and vocabulary. */
    public static CharRnnProperties.Limits limits(DataSize maxCorpusSize, int maxVocabularySize) {
        return new CharRnnProperties.Limits(maxCorpusSize, maxVocabularySize, 4, 1024, 1000, 512, 1_000_000, 10_000,
                8, 16, 100_000, DataSize.ofGigabytes(2), DataSize.ofGigabytes(1), 16, 50_000_000L, java.time.Duration.ofMinutes(5),
                5000, 64);
    }

    /** A service under test keeps its corpora and models below root (a test's temp dir). */
    public static void storage(DynamicPropertyRegistry registry, Path root) {
        registry.add("charrnn.storage.corpora-dir", () -> root.resolve("corpora").toString());
        registry.add("charrnn.storage.models-dir", () -> root.resolve("models").toString());
    }

    public static JsonMapper json() {
        return JsonMapper.builder().build();
    }

    public static String repeatedSentence(int times) {
        return SENTENCE.repeat(times);
    }

    public static EncodedText patternText() {
        return EncodedText.of(repeatedSentence(60), 0.1);
    }

    /** Trains the tiny LSTM on the pattern text and saves it as a model, unless it exists. */
    public static void savePatternModel(ModelStore models, String name) {
        if (models.exists(name)) {
            return;
        }
        EncodedText text = patternText();
        ModelSpec spec = tinySpec(CellType.LSTM, 1);
        Trainer.Result result = Trainer.train(text, spec, TrainingSchedule.iterations(120, 0.1, 120), m -> { });
        models.save(new ModelMetadata(name, spec, text.vocabulary().codePoints(),
                Arrays.stream(text.trainCounts()).boxed().toList(), "pattern", result.network().numParams(),
                result.metrics(), result.history(), "CPU", Instant.parse("2026-01-01T00:00:00Z")), result.network());
    }

    /** A small network that learns the pattern text in about a hundred steps. */
    public static ModelSpec tinySpec(CellType cell, long seed) {
        return ModelSpec.of(cell, 1, 32, 0.0, 16, 4, 0.02, seed);
    }
}
