package dev.charrnn.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.nn.CellType;
import dev.charrnn.sample.Sampler;
import dev.charrnn.sample.SamplingParams;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingSchedule;

class ModelStoreTest {

    private static EncodedText text;
    private static Trainer.Result trained;

    @TempDir
    Path root;

    @BeforeAll
    static void train() {
        text = Fixtures.patternText();
        trained = Trainer.train(text, Fixtures.tinySpec(CellType.LSTM, 1), TrainingSchedule.iterations(40, 0.1, 20), m -> { });
    }

    @Test
    void aSavedModelLoadsAfterARestartWithIdenticalWeightsOptimizerStateAndSamples() {
        new ModelStore(TestSupport.properties(root), TestSupport.json()).save(metadata("pattern"), trained.network());

        ModelStore restarted = new ModelStore(TestSupport.properties(root), TestSupport.json());
        LoadedModel loaded = restarted.load("pattern");

        assertThat(loaded.network().params()).isEqualTo(trained.network().params());
        assertThat(loaded.metadata()).isEqualTo(metadata("pattern"));
        assertThat(Files.exists(restarted.directory("pattern").resolve("model.zip"))).isTrue();
        MultiLayerNetwork withUpdater = restoreWithUpdater(restarted.directory("pattern").resolve("model.zip"));
        assertThat(withUpdater.getUpdater().getStateViewArray())
                .isEqualTo(trained.network().getUpdater().getStateViewArray());
        for (long seed : new long[] {1, 2, 3}) {
            assertThat(sample(loaded.network(), seed)).isEqualTo(sample(trained.network(), seed));
        }
    }

    @Test
    void aModelSavedBeforeTheLayersMovedToTheCoreStillLoadsAndSamplesTheSame() throws Exception {
        ModelStore store = new ModelStore(TestSupport.properties(root), TestSupport.json());
        store.save(metadata("old"), trained.network());
        Path zip = store.directory("old").resolve(ModelStore.WEIGHTS);
        renameLayerClasses(zip, "dev.charrnn.nn.", NetworkFiles.OLD_LAYER_PACKAGE);
        byte[] asSaved = Files.readAllBytes(zip);

        LoadedModel loaded = new ModelStore(TestSupport.properties(root), TestSupport.json()).load("old");

        assertThat(loaded.network().params()).isEqualTo(trained.network().params());
        assertThat(sample(loaded.network(), 7)).isEqualTo(sample(trained.network(), 7));
        assertThat(new ModelStore(TestSupport.properties(root), TestSupport.json()).loadForTraining("old")
                .getUpdater().getStateViewArray()).isEqualTo(trained.network().getUpdater().getStateViewArray());
        assertThat(Files.readAllBytes(zip)).as("the file is read, not rewritten").isEqualTo(asSaved);
        try (var files = Files.list(store.directory("old"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("model.zip", "model.json");
        }
    }

    @Test
    void listsSavedModelsAndDeletesThem() {
        ModelStore store = new ModelStore(TestSupport.properties(root), TestSupport.json());
        store.save(metadata("one"), trained.network());
        store.save(metadata("two"), trained.network());
        assertThat(store.list()).extracting(ModelMetadata::name).containsExactlyInAnyOrder("one", "two");

        store.delete("one");

        assertThat(store.exists("one")).isFalse();
        assertThat(Files.exists(root.resolve("models/one"))).isFalse();
        assertThatThrownBy(() -> store.metadata("one")).isInstanceOf(ApiException.class)
                .extracting(e -> ((ApiException) e).getStatusCode().value()).isEqualTo(404);
    }

    @Test
    void theCacheKeepsTheMostRecentlyUsedModelsWithinItsMemoryBudget() {
        long oneModel = 2L * trained.network().numParams() * Float.BYTES; // the weights and their compiled copy
        CharRnnProperties base = TestSupport.properties(root);
        CharRnnProperties twoModels = TestSupport.properties(root, new CharRnnProperties.Limits(
                base.limits().maxCorpusSize(), 2000, 4, 1024, 1000, 512, 1_000_000, 10_000, 8, 16, 100_000,
                org.springframework.util.unit.DataSize.ofBytes(2 * oneModel + 1), base.limits().maxModelImportSize(), 16, 50_000_000L, java.time.Duration.ofMinutes(5),
                5000, 64));
        ModelStore store = new ModelStore(twoModels, TestSupport.json());
        for (String name : new String[] {"a", "b", "c"}) {
            store.save(metadata(name), trained.network());
        }
        store.load("a");
        store.load("b");
        store.load("a");
        store.load("c");
        assertThat(store.cached()).containsExactly("a", "c");
        assertThat(store.load("a")).isSameAs(store.load("a"));
    }

    @Test
    void leavesNoTemporaryFilesBehind() throws Exception {
        ModelStore store = new ModelStore(TestSupport.properties(root), TestSupport.json());
        store.save(metadata("clean"), trained.network());
        try (var files = Files.list(store.directory("clean"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("model.zip", "model.json");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../escape", "a/b", "a\\b", "nul\u0000byte", "space name", "émoji😀",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void rejectsNamesThatAreNotSafeDirectoryNames(String name) {
        ModelStore store = new ModelStore(TestSupport.properties(root), TestSupport.json());
        assertThatThrownBy(() -> store.directory(name)).isInstanceOf(ApiException.class)
                .extracting(e -> ((ApiException) e).getStatusCode().value()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "shakespeare-lstm_2.1", "...a", "A9"})
    void acceptsSafeNames(String name) {
        ModelStore store = new ModelStore(TestSupport.properties(root), TestSupport.json());
        assertThat(store.directory(name).getParent()).isEqualTo(root.resolve("models"));
    }

    private static MultiLayerNetwork restoreWithUpdater(Path zip) {
        try {
            return org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), true);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Rewrites the layer class names in a saved network's configuration, as a file from an older build has them. */
    private static void renameLayerClasses(Path zip, String from, String to) throws IOException {
        try (FileSystem files = FileSystems.newFileSystem(zip)) {
            Path configuration = files.getPath(NetworkFiles.CONFIGURATION);
            String json = Files.readString(configuration);
            assertThat(json).contains(from + "LstmLayer");
            Files.writeString(configuration, json.replace(from, to));
        }
    }

    private static String sample(MultiLayerNetwork net, long seed) {
        return Sampler.sample(dev.charrnn.sample.InferenceNetwork.of(net), text.vocabulary(), text.trainCounts(), SamplingParams.simple("the ", 60, 1.0, seed));
    }

    private static ModelMetadata metadata(String name) {
        return new ModelMetadata(name, Fixtures.tinySpec(CellType.LSTM, 1), text.vocabulary().codePoints(),
                Arrays.stream(text.trainCounts()).boxed().toList(), "corpus-id", trained.network().numParams(),
                trained.metrics(), trained.history(), "CPU", Instant.parse("2026-01-01T00:00:00Z"));
    }

}
