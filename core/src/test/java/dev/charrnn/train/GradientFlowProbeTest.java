package dev.charrnn.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.text.EncodedText;

/** The flow probe on networks trained on a text whose every line needs a 56-step memory. */
class GradientFlowProbeTest {

    private static final int STEPS = 60;

    /** Lines "K<55 filler characters>K\n": the closing key repeats the opening one. */
    private static String longMemoryText() {
        Random random = new Random(3);
        StringBuilder text = new StringBuilder();
        while (text.length() < 30_000) {
            char key = "abcd".charAt(random.nextInt(4));
            text.append(key);
            for (int i = 0; i < 55; i++) {
                text.append("xyz ".charAt(random.nextInt(4)));
            }
            text.append(key).append('\n');
        }
        return text.toString();
    }

    @Test
    void aTrainedLstmKeepsMoreGradientFiftyStepsBackThanAVanillaRnn() {
        EncodedText text = EncodedText.of(longMemoryText(), 0.1);
        double lstm = keptAtFifty(train(text, CellType.LSTM), text);
        double rnn = keptAtFifty(train(text, CellType.RNN), text);
        System.out.printf("gradient kept 50 steps back: LSTM %.2e, RNN %.2e%n", lstm, rnn);
        assertThat(lstm).isGreaterThan(10 * rnn);
    }

    @Test
    void theProbeReturnsOneFiniteNormPerStepAndTheRatioOfTheEnds() {
        EncodedText text = EncodedText.of(longMemoryText(), 0.1);
        MultiLayerNetwork net = dev.charrnn.nn.NetworkFactory.create(ModelSpec.of(CellType.GRU, 2, 16, 0.0, 32, 4, 0.01, 1L),
                text.vocabulary().size());
        GradientFlowProbe.Flow flow = GradientFlowProbe.measure(net, Arrays.copyOfRange(text.symbols(), 0, STEPS + 1),
                text.vocabulary().size());
        assertThat(flow.norms()).hasSize(STEPS);
        assertThat(Arrays.stream(flow.norms()).allMatch(n -> Double.isFinite(n) && n >= 0)).isTrue();
        assertThat(flow.norms()[STEPS - 1]).isPositive();
        assertThat(flow.firstToLastRatio()).isEqualTo(flow.norms()[0] / flow.norms()[STEPS - 1]);
        assertThat(flow.hiddenNorms()).hasSize(2).allSatisfy(layer -> {
            assertThat(layer).hasSize(STEPS);
            assertThat(Arrays.stream(layer).allMatch(n -> Double.isFinite(n) && n >= 0)).isTrue();
            assertThat(layer[STEPS - 1]).isPositive();
        });
        if (flow.vanishesAfter() != null) {
            assertThat(flow.norms()[STEPS - 1 - flow.vanishesAfter()]).isLessThan(1e-3 * flow.norms()[STEPS - 1]);
        }
    }

    private static MultiLayerNetwork train(EncodedText text, CellType cell) {
        return Trainer.train(text, ModelSpec.of(cell, 1, 32, 0.0, 64, 8, 0.01, 1L), TrainingSchedule.iterations(150, 0.1, 150),
                m -> { }).network();
    }

    /** Mean over windows that end on a line's closing key of ||dL_T/dx_(T-50)|| / ||dL_T/dx_T||. */
    private static double keptAtFifty(MultiLayerNetwork net, EncodedText text) {
        int newline = text.vocabulary().indexOf('\n');
        double sum = 0;
        int windows = 0;
        for (int end = STEPS + 1; end < text.symbols().length && windows < 8; end++) {
            if (text.symbols()[end] == newline) {
                int[] window = Arrays.copyOfRange(text.symbols(), end - STEPS, end);
                double[] norms = GradientFlowProbe.measure(net, window, text.vocabulary().size()).norms();
                sum += norms[norms.length - 51] / norms[norms.length - 1];
                windows++;
            }
        }
        return sum / windows;
    }
}
