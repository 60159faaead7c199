package dev.charrnn.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.text.OneHot;

class InferenceNetworkTest {

    /** Three threads: units split unevenly (151 units), as the service splits them. */
    private static final Gang gang = new Gang(3, "test-step");

    private static final int VOCABULARY = 23;

    /** Two layers of an odd width (not a multiple of the 4-input unroll), weights perturbed so gates are not symmetric. */
    private static MultiLayerNetwork network(CellType cell) {
        return network(cell, 37);
    }

    private static MultiLayerNetwork network(CellType cell, int units) {
        ModelSpec spec = ModelSpec.of(cell, 2, units, 0.0, 12, 3, 0.05, 7L);
        MultiLayerNetwork net = NetworkFactory.create(spec, VOCABULARY);
        net.params().addi(org.nd4j.linalg.factory.Nd4j.rand(new SplittableRandom(3).nextLong(),
                net.params().shape()).subi(0.5).muli(0.4));
        return net;
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void stepsGiveTheTrainingNetworksDistributionsUpToFloatRounding(CellType cell) {
        MultiLayerNetwork net = network(cell);
        InferenceNetwork compiled = InferenceNetwork.of(net);
        int[][] streams = randomSymbols(3, 40, 11);
        InferenceNetwork.Row[] rows = {compiled.newRow(), compiled.newRow(), compiled.newRow()};
        double worst = 0;
        for (int t = 0; t < 40; t++) {
            int[] symbols = {streams[0][t], streams[1][t], streams[2][t]};
            float[] expected = net.rnnTimeStep(OneHot.step(symbols, VOCABULARY)).dup('c').data().asFloat();
            compiled.step(rows, symbols, 3, Gang.CALLER_ONLY);
            for (int r = 0; r < 3; r++) {
                for (int v = 0; v < VOCABULARY; v++) {
                    worst = Math.max(worst, Math.abs(expected[r * VOCABULARY + v] - rows[r].probabilities()[v]));
                }
            }
        }
        assertThat(worst).as("largest probability difference over 40 steps").isLessThan(2e-6).isGreaterThanOrEqualTo(0);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void aRowGivesTheSameBitsAloneOrInABatchSplitAcrossThreads(CellType cell) {
        InferenceNetwork compiled = InferenceNetwork.of(network(cell, 151)); // big enough for the gang to split layer 2
        assertThat(7L * 151 * (151 + 151)).isGreaterThan(InferenceNetwork.PARALLEL_WORK);
        int[][] streams = randomSymbols(7, 30, 5);
        InferenceNetwork.Row[] batch = new InferenceNetwork.Row[7];
        for (int r = 0; r < 7; r++) {
            batch[r] = compiled.newRow();
        }
        InferenceNetwork.Row alone = compiled.newRow();
        for (int t = 0; t < 30; t++) {
            int[] symbols = new int[7];
            for (int r = 0; r < 7; r++) {
                symbols[r] = streams[r][t];
            }
            compiled.step(batch, symbols, 7, gang);
            compiled.feed(alone, new int[] {streams[5][t]});
            assertThat(alone.probabilities()).as("step %s", t).containsExactly(batch[5].probabilities());
        }
        assertThat(alone.state(1)).hasSize(cell == CellType.LSTM ? 302 : 151).containsExactly(batch[5].state(1));
    }

    @Test
    void aWorkerFailureReachesTheCaller() {
        try (Gang gang = new Gang(2, "failing")) {
            assertThatThrownBy(() -> gang.run(part -> {
                if (part == 1) {
                    throw new IllegalStateException("part 1 failed");
                }
            })).hasMessage("part 1 failed");
            int[] ran = new int[2];
            gang.run(part -> ran[part]++);
            assertThat(ran).containsExactly(1, 1);
        }
    }

    @Test
    void aCopiedRowContinuesLikeTheOriginal() {
        InferenceNetwork compiled = InferenceNetwork.of(network(CellType.LSTM));
        InferenceNetwork.Row row = compiled.newRow();
        compiled.feed(row, new int[] {1, 2, 3});
        InferenceNetwork.Row copy = row.copy();
        compiled.feed(row, new int[] {4, 5});
        compiled.feed(copy, new int[] {4, 5});
        assertThat(copy.probabilities()).containsExactly(row.probabilities());
        assertThat(copy.state(0)).hasSize(2 * 37);
    }

    @Test
    void aSymbolOutsideTheVocabularyIsRefused() {
        InferenceNetwork compiled = InferenceNetwork.of(network(CellType.GRU));
        assertThatThrownBy(() -> compiled.feed(compiled.newRow(), new int[] {VOCABULARY}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
    }

    private static int[][] randomSymbols(int streams, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] symbols = new int[streams][length];
        for (int[] stream : symbols) {
            for (int t = 0; t < length; t++) {
                stream[t] = random.nextInt(VOCABULARY);
            }
        }
        return symbols;
    }
}
