package dev.charrnn.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.text.OneHot;

/** Training drops the first layer's input gradient; asking for it (the gradient-flow probe does) still gets it. */
class CarriedStateNetworkTest {

    @Test
    void fitSkipsTheInputGradientThatCalculateGradientsStillReturns() {
        ModelSpec spec = ModelSpec.of(CellType.RNN, 2, 16, 0.0, 12, 3, 1e-2, 7L);
        int vocabulary = 5;
        int[] symbols = new int[64];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = (i * 7 + i / 5) % vocabulary;
        }
        CarriedStateNetwork training = new CarriedStateNetwork(NetworkFactory.configuration(spec, vocabulary));
        training.init();
        MultiLayerNetwork plain = new MultiLayerNetwork(training.getLayerWiseConfigurations().clone());
        plain.init(training.params().dup(), true);
        INDArray features = OneHot.windows(symbols, new int[] {0, 20, 40}, 12, vocabulary);
        INDArray labels = OneHot.windows(symbols, new int[] {1, 21, 41}, 12, vocabulary);

        training.fitContinuing(new DataSet(features, labels));
        plain.fit(new DataSet(features, labels));
        assertThat(training.params().equalsWithEps(plain.params(), 1e-6)).as("same step as a plain network").isTrue();

        training.rnnClearPreviousState();
        INDArray expected = plain.calculateGradients(features, labels, null, null).getSecond();
        INDArray actual = training.calculateGradients(features, labels, null, null).getSecond();
        assertThat(actual).isNotNull();
        assertThat(expected.norm2Number().doubleValue()).isGreaterThan(1e-6);
        assertThat(actual.equalsWithEps(expected, 1e-6)).isTrue();
    }
}
