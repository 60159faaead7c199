package dev.charrnn.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import dev.charrnn.Fixtures;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.GradientClipping;
import dev.charrnn.nn.GradientClipping.Mode;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.text.CharSequenceIterator;
import dev.charrnn.text.EncodedText;

/** The clipper on real gradients of a real network: scale, then each mode's promise. */
class GradientClipperTest {

    private static final int BATCH = 4;

    private final EncodedText text = Fixtures.patternText();
    private final ModelSpec spec = Fixtures.tinySpec(CellType.GRU, 3);
    private final DataSet window = new CharSequenceIterator(text.symbols(), 0, text.trainLength(),
            text.vocabulary().size(), spec.batchSize(), spec.seqLength()).next();

    @Test
    void withoutClippingTheGradientIsThatOfTheMeanLossPerCharacterTimesTheBatch() {
        MultiLayerNetwork net = network();
        INDArray raw = rawGradient(net);
        GradientClipper clipper = new GradientClipper(new GradientClipping(Mode.NONE, 1.0));

        clipper.onGradientCalculation(net);

        INDArray perCharacter = net.gradient().gradient().div(BATCH);
        assertThat(perCharacter.norm2Number().doubleValue()).isCloseTo(clipper.lastNorm(), within(1e-6));
        assertThat(clipper.lastNorm()).isCloseTo(raw.norm2Number().doubleValue() / (BATCH * spec.seqLength()),
                within(1e-6));
        long largest = Nd4j.argMax(Transforms.abs(perCharacter).reshape(perCharacter.length()), 0).getLong(0);
        double meanLossDerivative = finiteDifferenceOfMeanLoss(net, largest);
        assertThat(perCharacter.getDouble(largest)).isCloseTo(meanLossDerivative, within(0.02 * Math.abs(meanLossDerivative)));
    }

    @Test
    void globalL2RescalesTheWholeGradientToTheThreshold() {
        MultiLayerNetwork net = network();
        INDArray before = rawGradient(net).div(spec.seqLength());
        GradientClipper clipper = new GradientClipper(new GradientClipping(Mode.GLOBAL_L2, 1e-3));

        clipper.onGradientCalculation(net);

        INDArray after = net.gradient().gradient();
        assertThat(after.norm2Number().doubleValue() / BATCH).isCloseTo(1e-3, within(1e-9));
        assertThat(clipper.lastScale()).isLessThan(1);
        assertThat(clipper.clippedSteps()).isEqualTo(1);
        assertThat(after.div(before).minNumber().doubleValue()).as("direction kept")
                .isCloseTo(after.div(before).maxNumber().doubleValue(), within(1e-4));
    }

    @Test
    void globalL2LeavesASmallGradientAlone() {
        MultiLayerNetwork net = network();
        INDArray before = rawGradient(net).div(spec.seqLength());
        GradientClipper clipper = new GradientClipper(new GradientClipping(Mode.GLOBAL_L2, 1e6));
        clipper.onGradientCalculation(net);
        assertThat(net.gradient().gradient()).isEqualTo(before);
        assertThat(clipper.clippedSteps()).isZero();
    }

    @Test
    void elementwiseClampsEveryComponent() {
        MultiLayerNetwork net = network();
        rawGradient(net);
        new GradientClipper(new GradientClipping(Mode.ELEMENTWISE, 1e-4)).onGradientCalculation(net);
        assertThat(net.gradient().gradient().amaxNumber().doubleValue() / BATCH).isLessThanOrEqualTo(1e-4 + 1e-9);
    }

    @Test
    void perLayerAndPerParameterNormsStayUnderTheThreshold() {
        MultiLayerNetwork net = network();
        rawGradient(net);
        new GradientClipper(new GradientClipping(Mode.L2_PER_LAYER, 1e-3)).onGradientCalculation(net);
        for (Layer layer : net.getLayers()) {
            assertThat(layer.getGradientsViewArray().norm2Number().doubleValue() / BATCH).isLessThanOrEqualTo(1e-3 + 1e-9);
        }

        MultiLayerNetwork other = network();
        rawGradient(other);
        new GradientClipper(new GradientClipping(Mode.L2_PER_PARAM_TYPE, 1e-3)).onGradientCalculation(other);
        other.gradient().gradientForVariable().forEach((key, view) ->
                assertThat(view.norm2Number().doubleValue() / BATCH).as(key).isLessThanOrEqualTo(1e-3 + 1e-9));
    }

    @Test
    void renormalizeGivesEveryLayerAUnitNorm() {
        MultiLayerNetwork net = network();
        rawGradient(net);
        new GradientClipper(new GradientClipping(Mode.RENORMALIZE_L2, 1.0)).onGradientCalculation(net);
        for (Layer layer : net.getLayers()) {
            assertThat(layer.getGradientsViewArray().norm2Number().doubleValue() / BATCH).isCloseTo(1.0, within(1e-4));
        }
    }

    private MultiLayerNetwork network() {
        MultiLayerNetwork net = NetworkFactory.create(spec, text.vocabulary().size());
        net.setInput(window.getFeatures());
        net.setLabels(window.getLabels());
        return net;
    }

    private static INDArray rawGradient(MultiLayerNetwork net) {
        net.computeGradientAndScore();
        return net.gradient().gradient().dup();
    }

    /** d(mean loss per character)/d(param i) by central differences; DL4J's score sums over the window. */
    private double finiteDifferenceOfMeanLoss(MultiLayerNetwork net, long i) {
        INDArray params = net.params();
        double original = params.getDouble(i);
        double h = 1e-2;
        params.putScalar(i, original + h);
        double plus = net.score(window, false) / spec.seqLength();
        params.putScalar(i, original - h);
        double minus = net.score(window, false) / spec.seqLength();
        params.putScalar(i, original);
        return (plus - minus) / (2 * h);
    }
}
