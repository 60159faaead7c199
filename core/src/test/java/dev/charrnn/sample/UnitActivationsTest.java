package dev.charrnn.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Random;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.text.OneHot;

class UnitActivationsTest {

    @Test
    void featuresDescribeTheTextOnceEachCharacterIsRead() {
        String text = "ab \"Cd\" (x[y])\nz";
        Map<String, double[]> f = TextFeatures.of(text.codePoints().toArray());
        assertThat(f.keySet()).containsExactly("insideQuotes", "bracketDepth", "sinceNewline", "whitespace", "wordStart");
        //                                     a  b     "  C  d  "     (  x  [  y  ]  )  \n z
        assertThat(f.get("insideQuotes")).containsExactly(0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(f.get("bracketDepth")).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 1, 0, 0, 0);
        assertThat(f.get("sinceNewline")).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0, 1);
        assertThat(f.get("whitespace")).containsExactly(0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0);
        assertThat(f.get("wordStart")).containsExactly(1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1);
        assertThat(TextFeatures.of("\u201cA\u201d".codePoints().toArray()).get("insideQuotes")).containsExactly(1, 1, 0);
    }

    @Test
    void pearsonIsPlusOrMinusOneOnLinesAndNullOnAConstant() {
        double[] x = {1, 2, 3, 4, 5};
        assertThat(UnitActivations.pearson(x, new double[] {3, 5, 7, 9, 11})).isCloseTo(1.0, within(1e-12));
        assertThat(UnitActivations.pearson(x, new double[] {-1, -2, -3, -4, -5})).isCloseTo(-1.0, within(1e-12));
        assertThat(UnitActivations.pearson(x, new double[] {1, -1, 0, -1, 1})).isCloseTo(0.0, within(1e-12));
        assertThat(UnitActivations.pearson(x, new double[] {2, 2, 2, 2, 2})).isNull();
    }

    @Test
    void unitsRankByTheSizeOfTheirCorrelationNotItsSign() {
        Random random = new Random(1);
        double[] feature = new double[200];
        float[][] values = new float[200][4];
        for (int t = 0; t < 200; t++) {
            feature[t] = random.nextInt(2);
            double noise = random.nextGaussian();
            values[t][0] = (float) noise; // unrelated
            values[t][1] = (float) (feature[t] + 0.5 * noise); // follows it
            values[t][2] = (float) (-feature[t] + 0.1 * random.nextGaussian()); // follows it best, inverted
            values[t][3] = 0.25f; // constant: no correlation at all
        }
        var ranked = UnitActivations.rank(values, feature, 3);
        assertThat(ranked).extracting(UnitActivations.Correlation::unit).containsExactly(2, 1, 0);
        assertThat(ranked.get(0).r()).isLessThan(-0.9);
        assertThat(ranked.get(1).r()).isBetween(0.5, 0.9);
        assertThat(UnitActivations.rank(values, feature, 10)).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void theRecordingIsTheLayersOutputAcrossChunksOfTheText(CellType cell) {
        int vocabulary = 7;
        MultiLayerNetwork net = NetworkFactory.create(ModelSpec.of(cell, 2, 8, 0.0, 16, 4, 0.01, 2L), vocabulary);
        int[] symbols = new Random(3).ints(513, 0, vocabulary).toArray(); // one chunk of 512, then one of 1 step

        UnitActivations.Recording recording = UnitActivations.record(net, symbols, vocabulary, 1);

        INDArray whole = net.feedForward(OneHot.windows(symbols, new int[] {0}, symbols.length, vocabulary), false)
                .get(2); // layer 1's output [1, n, T]
        assertThat(recording.hidden()).hasNumberOfRows(513);
        assertThat(recording.units()).isEqualTo(8);
        for (int t : new int[] {0, 200, 511, 512}) {
            for (int j = 0; j < 8; j++) {
                assertThat((double) recording.hidden()[t][j]).as("step %d unit %d", t, j)
                        .isCloseTo(whole.getDouble(0, j, t), within(1e-5));
            }
        }
        assertThat(recording.cell() != null).isEqualTo(cell == CellType.LSTM);
        assertThat(((dev.charrnn.nn.FusedRecurrentLayer<?>) net.getLayer(1)).recordedActivations()).isNull();
        assertThatThrownBy(() -> UnitActivations.record(net, symbols, vocabulary, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a recurrent layer");
        assertThat(UnitActivations.rank(recording, symbols, 3)).hasSize(5).allSatisfy(r ->
                assertThat(r.cell() != null).isEqualTo(cell == CellType.LSTM));
    }
}
