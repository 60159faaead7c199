package dev.charrnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.GruLayer;
import dev.charrnn.nn.LstmLayer;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.sample.InferenceNetwork;
import dev.charrnn.sample.Sampler;
import dev.charrnn.sample.SamplingParams;
import dev.charrnn.text.CharVocabulary;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.Evaluator;
import dev.charrnn.train.SparkTrainingMaster;
import dev.charrnn.train.TrainingMetrics;
import dev.charrnn.train.spark.SparkRunFiles;
import dev.charrnn.train.spark.SparkRunProgress;
import dev.charrnn.train.spark.SparkRunSpec;

/** The job's entry point on a real in-process Spark engine, master local[2]. */
@Tag("spark")
class CharRnnSparkJobTest {

    private static JavaSparkContext sc;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(CharRnnSparkJob.sparkConf(new SparkConf())
                .setMaster("local[2]").setAppName("CharRnnSparkJobTest").set("spark.ui.enabled", "false"));
    }

    @AfterAll
    static void stopSpark() {
        sc.close();
    }

    @ParameterizedTest
    @CsvSource({"LSTM, PARAMETER_AVERAGING", "GRU, PARAMETER_AVERAGING", "GRU, SHARED_GRADIENTS"})
    void trainsPublishesAndTheModelSamples(CellType cell, SparkTrainingMaster master) throws Exception {
        String corpus = SparkJobFixtures.corpus(24_000, 11);
        SparkRunSpec run = SparkJobFixtures.run("spark-" + cell, SparkJobFixtures.tinySpec(cell), 2, master);
        SparkJobFixtures.runFolder(dir, corpus, run);

        SparkRunProgress outcome = CharRnnSparkJob.run(sc, dir.toString());

        System.out.printf("%s %s, validation bits/char: %.3f -> %s%n", cell, master, outcome.initialValBpc(),
                outcome.history().stream().map(m -> String.format("%.3f", m.valBpc())).collect(Collectors.joining(" -> ")));
        assertEquals(SparkRunProgress.SUCCEEDED, outcome.state(), outcome.error());
        assertEquals(2, outcome.history().size());
        TrainingMetrics last = outcome.last();
        assertTrue(last.valBpc() < outcome.initialValBpc() - 0.5, "validation loss fell clearly: " + outcome);
        assertTrue(Files.isRegularFile(dir.resolve(SparkRunFiles.SUCCESS)));
        assertTrue(Files.isRegularFile(dir.resolve(SparkRunFiles.PROGRESS)));

        MultiLayerNetwork model = ModelSerializer.restoreMultiLayerNetwork(dir.resolve(SparkRunFiles.MODEL).toFile(), true);
        Class<?> layer = cell == CellType.GRU ? GruLayer.class : LstmLayer.class;
        assertEquals(layer, model.getLayer(0).conf().getLayer().getClass(), "the service's own layer");
        EncodedText text = EncodedText.of(corpus, run.validationFraction());
        assertEquals(text.vocabulary().codePoints(), outcome.vocabulary(), "the vocabulary the service will compute");
        assertEquals(last.valBpc(), Evaluator.bitsPerChar(model, text, 8, 25), 1e-4,
                "the saved weights are the evaluated ones");
        CharVocabulary vocabulary = CharVocabulary.fromCodePoints(outcome.vocabulary());
        String sample = Sampler.sample(InferenceNetwork.of(model), vocabulary, text.trainCounts(),
                SamplingParams.simple("The ", 200, 0.8, 3));
        assertEquals(200, sample.codePointCount(0, sample.length()));
        assertTrue(sample.contains(" "), "words: " + sample);
    }

    /**
     * A corpus the cluster reads itself: a folder of two files with characters of 1-4 bytes, read in
     * ranges of 4 KB so that cuts fall inside characters and examples start in many ranges.
     */
    @Test
    void trainsOnACorpusFolderReadInRanges() throws Exception {
        String first = SparkJobFixtures.corpus(14_000, 5).replace("cat", "chat é").replace("dog", "犬");
        String second = SparkJobFixtures.corpus(10_000, 6).replace("birds", "birds 🐦");
        Path books = Files.createDirectories(dir.resolve("books"));
        Files.writeString(books.resolve("part-1.txt"), first);
        Files.writeString(books.resolve("part-2.txt"), second);
        Path runDir = Files.createDirectories(dir.resolve("run"));
        SparkRunSpec run = SparkJobFixtures.onStorage("from-storage", SparkJobFixtures.tinySpec(CellType.LSTM), 1,
                SparkTrainingMaster.PARAMETER_AVERAGING, books.toUri().toString(), 4096);
        SparkJobFixtures.runFolder(runDir, null, run);

        SparkRunProgress outcome = CharRnnSparkJob.run(sc, runDir.toString());

        assertEquals(SparkRunProgress.SUCCEEDED, outcome.state(), outcome.error());
        EncodedText whole = EncodedText.of(first + second, run.validationFraction());
        assertEquals(whole.vocabulary().codePoints(), outcome.vocabulary(), "every character, 🐦 and 犬 included");
        assertEquals(java.util.Arrays.stream(whole.trainCounts()).boxed().toList(), outcome.trainCounts(),
                "counts of the training split, the tail held out");
        assertTrue(outcome.last().valBpc() < outcome.initialValBpc() - 0.5, "validation loss fell clearly: " + outcome);
        MultiLayerNetwork model = ModelSerializer.restoreMultiLayerNetwork(runDir.resolve(SparkRunFiles.MODEL).toFile(), true);
        assertEquals(outcome.last().valBpc(), Evaluator.bitsPerChar(model, whole, 8, 25), 1e-4,
                "validated on the corpus's last tenth");
        assertFalse(Files.exists(runDir.resolve("windows")), "the staged training windows are removed");
    }

    /** The held-out tail is capped (the driver evaluates it every epoch); the cap comes off the end. */
    @Test
    void theHeldOutTailIsCappedAtMaxValidationChars() throws Exception {
        String corpus = SparkJobFixtures.corpus(24_000, 12);
        SparkRunSpec uncapped = SparkJobFixtures.run("capped", SparkJobFixtures.tinySpec(CellType.RNN), 1,
                SparkTrainingMaster.PARAMETER_AVERAGING);
        SparkRunSpec run = new SparkRunSpec(uncapped.modelName(), uncapped.spec(), 1, 0.1, uncapped.trainingMaster(),
                uncapped.averagingFrequency(), uncapped.windowsPerExample(), null, null, null, uncapped.splitBytes(),
                500, 2000);
        SparkJobFixtures.runFolder(dir, corpus, run);

        SparkRunProgress outcome = CharRnnSparkJob.run(sc, dir.toString());

        assertEquals(SparkRunProgress.SUCCEEDED, outcome.state(), outcome.error());
        EncodedText whole = EncodedText.of(corpus, 0.1);
        int[] all = whole.symbols();
        EncodedText tail = new EncodedText(whole.vocabulary(), java.util.Arrays.copyOfRange(all, all.length - 500,
                all.length), 0);
        MultiLayerNetwork model = ModelSerializer.restoreMultiLayerNetwork(dir.resolve(SparkRunFiles.MODEL).toFile(), true);
        assertEquals(outcome.last().valBpc(), Evaluator.bitsPerChar(model, tail, 8, 25), 1e-4, "measured on the last 500");
        assertEquals(all.length - 500L, outcome.trainCounts().stream().mapToLong(Long::longValue).sum(),
                "everything before the tail trains");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "missing.txt | | 2000 | missing.txt does not exist",
            "latin1.txt  | café au lait | 2000 | not valid UTF-8",
            "short.txt   | Just a few words. | 2000 | too short",
            "wide.txt    | abcdefghijklmnopqrstuvwxyz | 10 | 26 distinct characters; the limit is 10"})
    void aCorpusTheJobCannotUseFailsTheRunWithTheReason(String name, String content, int maxVocabulary, String reason)
            throws Exception {
        Path corpus = dir.resolve(name);
        if (content != null) {
            String text = content.repeat(name.startsWith("wide") ? 200 : 1);
            Files.write(corpus, name.startsWith("latin1") ? text.getBytes(StandardCharsets.ISO_8859_1)
                    : text.getBytes(StandardCharsets.UTF_8));
        }
        Path runDir = Files.createDirectories(dir.resolve("run"));
        SparkRunSpec spec = SparkJobFixtures.onStorage("refused", SparkJobFixtures.tinySpec(CellType.LSTM), 1,
                SparkTrainingMaster.PARAMETER_AVERAGING, corpus.toString(), 1 << 20);
        SparkRunSpec run = new SparkRunSpec(spec.modelName(), spec.spec(), spec.epochs(), spec.validationFraction(),
                spec.trainingMaster(), spec.averagingFrequency(), spec.windowsPerExample(), null, null,
                spec.corpusUri(), spec.splitBytes(), spec.maxValidationChars(), maxVocabulary);
        SparkJobFixtures.runFolder(runDir, null, run);

        SparkRunProgress outcome = CharRnnSparkJob.run(sc, runDir.toString());

        assertEquals(SparkRunProgress.FAILED, outcome.state());
        assertTrue(outcome.error().contains(reason), outcome.error());
        assertFalse(Files.exists(runDir.resolve(SparkRunFiles.SUCCESS)));
        assertFalse(Files.exists(runDir.resolve(SparkRunFiles.MODEL)));
    }

    @Test
    void withoutACorpusTheRunFailsAndPublishesNothing() throws Exception {
        SparkJobFixtures.runFolder(dir, null, SparkJobFixtures.run("nothing", SparkJobFixtures.tinySpec(CellType.LSTM),
                1, SparkTrainingMaster.PARAMETER_AVERAGING));

        SparkRunProgress outcome = CharRnnSparkJob.run(sc, dir.toString());

        assertEquals(SparkRunProgress.FAILED, outcome.state());
        assertTrue(outcome.error().contains("corpus.txt"), outcome.error());
        assertFalse(Files.exists(dir.resolve(SparkRunFiles.SUCCESS)));
        assertFalse(Files.exists(dir.resolve(SparkRunFiles.MODEL)));
        assertTrue(Files.readString(dir.resolve(SparkRunFiles.PROGRESS)).contains("FAILED"));
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void theServiceLayersRoundTripAsJsonOnTheJobClasspath(CellType cell) {
        MultiLayerConfiguration conf = NetworkFactory.configuration(SparkJobFixtures.tinySpec(cell), 30);
        assertEquals(conf, MultiLayerConfiguration.fromJson(conf.toJson()));
    }
}
