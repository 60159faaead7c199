package dev.charrnn.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.GRU;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import dev.charrnn.nn.cpu.Gang;

/**
 * The recurrent layers and the softmax output layer on both paths. The ops path in double is the
 * oracle: its gradients are checked against finite differences (DL4J's GradientCheckUtil with and
 * without masks, one and two layers, and a direct check of the truncated-BPTT gradient from a
 * carried state). The host path's own code is float: a double network on it has its recurrent
 * layers take the ops path and its output layer stay on the host. So the host path is held to the
 * oracle in float (outputs, gradients, dL/dinput, hidden-gradient norms), and tests that compare a
 * network with itself run it in the precision its path computes in ({@link #inOwnPrecision}).
 */
class FusedRecurrentLayerTest {

    private static final int HIDDEN = 3;
    private static DataType previousDefault;

    @BeforeAll
    static void doublePrecision() {
        previousDefault = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(previousDefault, previousDefault);
    }

    /**
     * Every shape on the ops path; on the host path (whose double networks compute their recurrent
     * layers with the ops path's code) the two-layer ones, for its output layer's double math.
     */
    @ParameterizedTest(name = "{0} {1}: batch {2}, nIn {3}, hidden {4}, steps {5}, layers {6}")
    @CsvSource({
            "OPS, GRU, 3, 4, 5, 6, 1",
            "OPS, GRU, 1, 3, 2, 1, 1",
            "OPS, GRU, 2, 5, 3, 4, 2",
            "OPS, RNN, 3, 4, 5, 6, 1",
            "OPS, RNN, 2, 3, 4, 5, 2",
            "OPS, LSTM, 3, 4, 5, 6, 1",
            "OPS, LSTM, 2, 5, 3, 4, 2",
            "HOST, GRU, 2, 5, 3, 4, 2",
            "HOST, RNN, 2, 3, 4, 5, 2",
            "HOST, LSTM, 2, 5, 3, 4, 2"})
    void analyticGradientsMatchFiniteDifferences(LayerPath path, String cell, int batch, int nIn, int hidden, int steps,
                                                 int layers) {
        MultiLayerNetwork net = on(network(cell, nIn, hidden, layers, BackpropType.Standard, 0), path);
        INDArray input = Nd4j.rand(DataType.DOUBLE, batch, nIn, steps).subi(0.5);
        INDArray labels = oneHotLabels(batch, nIn, steps, 7);

        assertThat(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input)
                .labels(labels).epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-8))).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"OPS, GRU", "OPS, RNN", "OPS, LSTM", "HOST, GRU", "HOST, RNN", "HOST, LSTM"})
    void maskedStepsKeepTheStateAndTheGradientsStayExact(LayerPath path, String cell) {
        MultiLayerNetwork net = on(network(cell, 3, 4, 1, BackpropType.Standard, 0), path);
        int batch = 3;
        int steps = 5;
        INDArray input = Nd4j.rand(DataType.DOUBLE, batch, 3, steps).subi(0.5);
        INDArray labels = oneHotLabels(batch, 3, steps, 11);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, batch, steps);
        mask.putScalar(0, 4, 0.0);
        mask.putScalar(1, 3, 0.0);
        mask.putScalar(1, 4, 0.0);
        mask.putScalar(2, 1, 0.0);

        assertThat(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input)
                .labels(labels).inputMask(mask).labelMask(mask).epsilon(1e-6).maxRelError(1e-4)
                .minAbsoluteError(1e-8))).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"OPS, GRU", "OPS, RNN", "OPS, LSTM", "HOST, GRU", "HOST, RNN", "HOST, LSTM"})
    void truncatedBpttGradientsFromACarriedStateMatchFiniteDifferences(LayerPath path, String cell) {
        assertThat(worstCarriedStateError(cell, path, state -> Map.of(FusedRecurrentLayer.STATE_KEY, state)))
                .isLessThan(1e-5);
    }

    /**
     * The host path's own code against the oracle, from a carried state and over whole sequences:
     * a float network on the host path and the same network in double on the ops path give the same
     * outputs, gradients of every parameter, dL/dinput and ||dL/dh_t||, to float precision. Sizes
     * make the host kernel take both its vector blocks and its tails: 19 rows in four parts over 2
     * threads, 37 units, two layers.
     */
    @ParameterizedTest(name = "{0}, carried state {1}")
    @CsvSource({"GRU, false", "RNN, false", "LSTM, false", "GRU, true", "RNN, true", "LSTM, true"})
    void theHostPathInFloatAgreesWithTheOracle(String cell, boolean carried) {
        MultiLayerNetwork oracle = on(network(cell, 5, 37, 2, BackpropType.TruncatedBPTT, 8), LayerPath.OPS);
        MultiLayerNetwork host = on(oracle.convertDataType(DataType.FLOAT), LayerPath.HOST);
        assertAgree(host, oracle, carried, 1e-5, 1e-4);
    }

    /** Both paths in float, as they train: outputs, every gradient, dL/dinput and ||dL/dh_t|| agree. */
    @ParameterizedTest(name = "{0}, carried state {1}")
    @CsvSource({"GRU, false", "RNN, false", "LSTM, false", "GRU, true", "RNN, true", "LSTM, true"})
    void theHostAndOpsPathsAgreeInFloat(String cell, boolean carried) {
        MultiLayerNetwork inDouble = network(cell, 5, 37, 2, BackpropType.TruncatedBPTT, 8);
        MultiLayerNetwork host = on(inDouble.convertDataType(DataType.FLOAT), LayerPath.HOST);
        MultiLayerNetwork ops = on(inDouble.convertDataType(DataType.FLOAT), LayerPath.OPS);
        assertAgree(host, ops, carried, 1e-5, 1e-4);
    }

    /** Both networks start from the same random state when {@code carried}, and see the same window. */
    private static void assertAgree(MultiLayerNetwork actual, MultiLayerNetwork expected, boolean carried,
                                    double outputTolerance, double gradientTolerance) {
        int batch = 19;
        INDArray input = Nd4j.rand(DataType.DOUBLE, batch, 5, 8).subi(0.5);
        INDArray labels = oneHotLabels(batch, 5, 8, 17);
        Map<String, INDArray> state0 = Map.of(FusedRecurrentLayer.STATE_KEY, Nd4j.rand(DataType.DOUBLE, batch, width(actual, 0)).subi(0.5));
        Map<String, INDArray> state1 = Map.of(FusedRecurrentLayer.STATE_KEY, Nd4j.rand(DataType.DOUBLE, batch, width(actual, 1)).subi(0.5));
        Passed a = passed(actual, input, labels, carried ? new Map[] {state0, state1} : null);
        Passed e = passed(expected, input, labels, carried ? new Map[] {state0, state1} : null);
        assertThat(relativeDifference(a.output(), e.output())).as("outputs").isLessThan(outputTolerance);
        for (String key : e.gradient().gradientForVariable().keySet()) {
            INDArray expectedGradient = e.gradient().getGradientFor(key);
            assertThat(expectedGradient.norm2Number().doubleValue()).as("gradient %s", key).isGreaterThan(1e-4);
            assertThat(relativeDifference(a.gradient().getGradientFor(key), expectedGradient)).as("gradient %s", key)
                    .isLessThan(gradientTolerance);
        }
        assertThat(e.inputGradient().norm2Number().doubleValue()).isGreaterThan(1e-4);
        assertThat(relativeDifference(a.inputGradient(), e.inputGradient())).as("dL/dinput").isLessThan(gradientTolerance);
        for (int layer = 0; layer < 2; layer++) {
            double[] expectedNorms = e.hiddenNorms().get(layer);
            double[] actualNorms = a.hiddenNorms().get(layer);
            assertThat(actualNorms).hasSize(8);
            for (int t = 0; t < 8; t++) {
                assertThat(expectedNorms[t]).isGreaterThan(1e-6);
                assertThat(Math.abs(actualNorms[t] - expectedNorms[t]) / expectedNorms[t])
                        .as("layer %d, ||dL/dh_%d||", layer, t).isLessThan(gradientTolerance);
            }
        }
    }

    /** What one window gives: the output, the gradients of the tBPTT fit, dL/dinput and each layer's ||dL/dh_t||. */
    private record Passed(INDArray output, Gradient gradient, INDArray inputGradient, List<double[]> hiddenNorms) {
    }

    @SuppressWarnings("unchecked")
    private static Passed passed(MultiLayerNetwork net, INDArray input, INDArray labels, Map<String, INDArray>[] states) {
        DataType type = net.params().dataType();
        INDArray x = input.castTo(type);
        INDArray y = labels.castTo(type);
        if (states != null) {
            for (int layer = 0; layer < states.length; layer++) {
                carry(net, layer, Map.of(FusedRecurrentLayer.STATE_KEY,
                        states[layer].get(FusedRecurrentLayer.STATE_KEY).castTo(type)));
            }
        }
        INDArray output = net.rnnTimeStep(x).dup();
        for (int layer = 0; layer < 2; layer++) {
            ((FusedRecurrentLayer<?>) net.getLayer(layer)).recordHiddenGradients(true);
        }
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore(); // tBPTT: from the carried state, as fit computes it
        Gradient gradient = net.gradient();
        Map<String, INDArray> copies = new java.util.LinkedHashMap<>();
        gradient.gradientForVariable().forEach((key, value) -> copies.put(key, value.dup()));
        List<double[]> norms = new ArrayList<>();
        for (int layer = 0; layer < 2; layer++) {
            norms.add(((FusedRecurrentLayer<?>) net.getLayer(layer)).hiddenGradientNorms());
            ((FusedRecurrentLayer<?>) net.getLayer(layer)).recordHiddenGradients(false);
        }
        net.rnnClearPreviousState();
        INDArray inputGradient = net.calculateGradients(x, y, null, null).getSecond().dup();
        Gradient kept = new org.deeplearning4j.nn.gradient.DefaultGradient();
        copies.forEach((key, value) -> kept.gradientForVariable().put(key, value));
        return new Passed(output, kept, inputGradient, norms);
    }

    private static int width(MultiLayerNetwork net, int layer) {
        FusedRecurrentLayer<?> recurrent = (FusedRecurrentLayer<?>) net.getLayer(layer);
        return (int) (recurrent.stateWidth() * recurrent.layerConf().getNOut());
    }

    /** Threads that share a pass split the batch rows; outputs and gradients must not depend on how. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"HOST, GRU", "HOST, RNN", "HOST, LSTM", "OPS, GRU", "OPS, RNN", "OPS, LSTM"})
    void stepThreadsGiveTheSameOutputsAndGradientsAsOne(LayerPath path, String cell) {
        INDArray input = Nd4j.rand(DataType.DOUBLE, 7, 4, 6).subi(0.5);
        INDArray labels = oneHotLabels(7, 4, 6, 13);
        INDArray[] single = outputAndGradient(inOwnPrecision(network(cell, 4, 7, 2, BackpropType.Standard, 0), path), 1,
                input, labels, null);
        INDArray[] three = outputAndGradient(inOwnPrecision(network(cell, 4, 7, 2, BackpropType.Standard, 0), path), 3,
                input, labels, null);
        // six parts: 1, 1, 1, 1, 1 and 2 rows
        assertThat(relativeDifference(three[0], single[0])).as("outputs").isLessThan(1e-12);
        assertThat(relativeDifference(three[1], single[1])).as("gradients").isLessThan(1e-6);
        assertThat(single[1].norm2Number().doubleValue()).isGreaterThan(1e-3);
    }

    /**
     * A float network on each path against the oracle (the same network in double on the ops
     * path). Masked float passes take the ops path from the host path too.
     */
    @ParameterizedTest(name = "{0} {1}, masked {2}")
    @CsvSource({"HOST, GRU, false", "HOST, RNN, false", "HOST, LSTM, false", "HOST, GRU, true", "HOST, RNN, true",
            "HOST, LSTM, true", "OPS, GRU, false", "OPS, RNN, false", "OPS, LSTM, false", "OPS, LSTM, true"})
    void floatNetworksAgreeWithTheDoubleOracle(LayerPath path, String cell, boolean masked) {
        int batch = 19;
        INDArray input = Nd4j.rand(DataType.DOUBLE, batch, 5, 8).subi(0.5);
        INDArray labels = oneHotLabels(batch, 5, 8, 17);
        INDArray mask = masked ? Nd4j.ones(DataType.DOUBLE, batch, 8) : null;
        if (masked) {
            mask.putScalar(2, 7, 0.0);
            mask.putScalar(18, 6, 0.0);
        }
        MultiLayerNetwork oracle = on(network(cell, 5, 37, 2, BackpropType.Standard, 0), LayerPath.OPS);
        MultiLayerNetwork inFloat = on(oracle.convertDataType(DataType.FLOAT), path);
        INDArray[] expected = outputAndGradient(oracle, 2, input, labels, mask);
        INDArray[] actual = outputAndGradient(inFloat, 2, input, labels, mask);
        assertThat(relativeDifference(actual[0], expected[0])).as("outputs").isLessThan(1e-5);
        assertThat(relativeDifference(actual[1], expected[1])).as("gradients").isLessThan(1e-4);
        assertThat(expected[1].norm2Number().doubleValue()).isGreaterThan(1e-3);
    }

    /**
     * One-hot float input (characters, and a zero row as a padded step has) takes rows of W and
     * adds rows of dP into dW on the host path instead of a product; the ops path multiplies. Both
     * agree with the oracle.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"HOST, GRU", "HOST, RNN", "HOST, LSTM", "OPS, GRU", "OPS, RNN", "OPS, LSTM"})
    void oneHotInputGivesWhatTheProductGives(LayerPath path, String cell) {
        int batch = 11;
        INDArray input = oneHotLabels(batch, 6, 7, 29);
        for (int c = 0; c < 6; c++) {
            input.putScalar(new long[] {3, c, 4}, 0.0);
        }
        INDArray labels = oneHotLabels(batch, 6, 7, 31);
        MultiLayerNetwork oracle = on(network(cell, 6, 37, 2, BackpropType.Standard, 0), LayerPath.OPS);
        MultiLayerNetwork inFloat = on(oracle.convertDataType(DataType.FLOAT), path);
        INDArray[] expected = outputAndGradient(oracle, 2, input, labels, null);
        INDArray[] actual = outputAndGradient(inFloat, 2, input, labels, null);
        assertThat(relativeDifference(actual[0], expected[0])).as("outputs").isLessThan(1e-5);
        assertThat(relativeDifference(actual[1], expected[1])).as("gradients").isLessThan(1e-4);
        INDArray firstLayerW = inFloat.getLayer(0).getGradientsViewArray().get(NDArrayIndex.interval(0, 6L * 37
                * (cell.equals("LSTM") ? 4 : cell.equals("GRU") ? 3 : 1)));
        assertThat(firstLayerW.norm2Number().doubleValue()).as("dL/dW of the first layer").isGreaterThan(1e-3);
    }

    /** A layer told its input gradient is not needed gives the same parameter gradients and no input gradient. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"HOST, GRU", "HOST, RNN", "HOST, LSTM", "OPS, GRU", "OPS, RNN", "OPS, LSTM"})
    void droppingTheInputGradientKeepsTheParameterGradients(LayerPath path, String cell) {
        MultiLayerNetwork net = inOwnPrecision(network(cell, 5, 7, 2, BackpropType.Standard, 0), path);
        DataType type = net.params().dataType();
        INDArray input = Nd4j.rand(DataType.DOUBLE, 4, 5, 6).subi(0.5).castTo(type);
        INDArray labels = oneHotLabels(4, 5, 6, 37).castTo(type);
        var full = net.calculateGradients(input, labels, null, null);
        INDArray fullGradient = full.getFirst().gradient().dup();
        FusedRecurrentLayer<?> first = (FusedRecurrentLayer<?>) net.getLayer(0);
        first.inputGradientNeeded(false);
        try {
            net.setInput(input);
            net.setLabels(labels);
            net.computeGradientAndScore();
            assertThat(net.gradient().gradient().equalsWithEps(fullGradient, 1e-12)).isTrue();
            assertThat(first.backpropGradient(Nd4j.ones(type, 4, 7, 6), LayerWorkspaceMgr.noWorkspaces()).getSecond())
                    .isNull();
        } finally {
            first.inputGradientNeeded(true);
        }
        assertThat(full.getSecond()).isNotNull();
        assertThat(full.getSecond().norm2Number().doubleValue()).isGreaterThan(1e-6);
    }

    /**
     * A truncated backward pass leaves the steps before its window out: the same gradients when
     * the workspace memory it reuses holds a full pass's values, and zero input gradient there.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"HOST, GRU", "HOST, RNN", "HOST, LSTM", "OPS, GRU", "OPS, RNN", "OPS, LSTM"})
    void truncatedBackpropIgnoresWhatTheWorkspaceHeld(LayerPath path, String cell) {
        MultiLayerNetwork net = inOwnPrecision(network(cell, 4, 5, 1, BackpropType.Standard, 0), path);
        net.initGradientsView();
        FusedRecurrentLayer<?> layer = (FusedRecurrentLayer<?>) net.getLayer(0);
        DataType type = net.params().dataType();
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 4, 6).subi(0.5).castTo(type);
        INDArray epsilon = Nd4j.rand(DataType.DOUBLE, 3, 5, 6).subi(0.5).castTo(type);
        WorkspaceConfiguration config = WorkspaceConfiguration.builder().initialSize(1 << 20)
                .policyLearning(LearningPolicy.NONE).build();
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.builder().defaultWorkspace("truncated-test", config).build();
        INDArray[] first = truncatedGradients(layer, input, epsilon, ws, config, 3);
        truncatedGradients(layer, input, epsilon, ws, config, 6); // fills every row of the reused memory
        INDArray[] second = truncatedGradients(layer, input, epsilon, ws, config, 3);
        assertThat(second[0].equalsWithEps(first[0], 1e-12)).as("parameter gradients").isTrue();
        assertThat(second[1].equalsWithEps(first[1], 1e-12)).as("input gradients").isTrue();
        assertThat(second[1].get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3))
                .amaxNumber().doubleValue()).as("input gradient before the window").isZero();
        assertThat(second[1].amaxNumber().doubleValue()).isGreaterThan(1e-6);
    }

    private static INDArray[] truncatedGradients(FusedRecurrentLayer<?> layer, INDArray input, INDArray epsilon,
                                                 LayerWorkspaceMgr ws, WorkspaceConfiguration config, int backLength) {
        INDArray inputGradient;
        try (MemoryWorkspace scope = Nd4j.getWorkspaceManager().getAndActivateWorkspace(config, "truncated-test")) {
            layer.setInput(input, ws);
            inputGradient = layer.tbpttBackpropGradient(epsilon, backLength, ws).getSecond().detach();
        }
        return new INDArray[] {layer.getGradientsViewArray().dup(), inputGradient};
    }

    /** The service's output layer computes DL4J's RnnOutputLayer: probabilities, loss, gradients, dL/dinput. */
    @ParameterizedTest(name = "{0}, masked {1}")
    @CsvSource({"HOST, false", "HOST, true", "OPS, false", "OPS, true"})
    void softmaxOutputLayerComputesWhatDl4jsRnnOutputLayerDoes(LayerPath path, boolean masked) {
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 4, 6).subi(0.5);
        INDArray labels = oneHotLabels(3, 4, 6, 17);
        INDArray mask = masked ? Nd4j.ones(DataType.DOUBLE, 3, 6) : null;
        if (masked) {
            mask.putScalar(0, 5, 0.0);
            mask.putScalar(2, 0, 0.0);
        }
        MultiLayerNetwork ours = on(network("GRU", 4, 5, 1, BackpropType.Standard, 0), path);
        MultiLayerNetwork dl4j = on(network("GRU", 4, 5, 1, BackpropType.Standard, 0, true), path);
        dl4j.setParams(ours.params());
        assertThat(ours.getOutputLayer()).isInstanceOf(SoftmaxOutputLayerImpl.class);
        assertThat(((SoftmaxOutputLayerImpl) ours.getOutputLayer()).layerPath()).isEqualTo(path);

        assertThat(ours.output(input, false, mask, mask).equalsWithEps(dl4j.output(input, false, mask, mask), 1e-12))
                .as("probabilities").isTrue();
        for (MultiLayerNetwork net : new MultiLayerNetwork[] {ours, dl4j}) {
            net.setLayerMaskArrays(mask, mask);
            net.setInput(input);
            net.setLabels(labels);
            net.computeGradientAndScore();
        }
        assertThat(ours.score()).as("loss").isCloseTo(dl4j.score(), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(ours.gradient().gradient().equalsWithEps(dl4j.gradient().gradient(), 1e-12)).as("gradients").isTrue();
        Pair<Gradient, INDArray> a = ours.calculateGradients(input, labels, mask, mask);
        Pair<Gradient, INDArray> b = dl4j.calculateGradients(input, labels, mask, mask);
        assertThat(a.getSecond().equalsWithEps(b.getSecond(), 1e-12)).as("dL/dinput").isTrue();
        assertThat(a.getSecond().norm2Number().doubleValue()).isGreaterThan(1e-6);
    }

    /** Why the LSTM is ours: DL4J's restarts its tBPTT backward pass from zeros, not the carried state. */
    @Test
    void stockDl4jLstmGradientsIgnoreTheCarriedState() {
        assertThat(worstCarriedStateError("DL4J_LSTM", LayerPath.OPS, state -> Map.of("prevAct", state.get(NDArrayIndex.all(),
                NDArrayIndex.interval(0, HIDDEN)), "prevMem", state.get(NDArrayIndex.all(), NDArrayIndex.interval(HIDDEN, 2 * HIDDEN)))))
                .isGreaterThan(1e-2);
    }

    /**
     * Largest relative error between the tBPTT gradient (what fit uses) and central differences of the
     * loss of a window that starts from a random carried state in both layers. DL4J's raw gradient
     * is summed over the minibatch (its updater divides later), the score averaged: hence / batch.
     */
    private static double worstCarriedStateError(String cell, LayerPath path,
                                                 java.util.function.Function<INDArray, Map<String, INDArray>> asState) {
        int batch = 2;
        MultiLayerNetwork net = on(network(cell, 3, HIDDEN, 2, BackpropType.TruncatedBPTT, 4), path);
        INDArray input = Nd4j.rand(DataType.DOUBLE, batch, 3, 4).subi(0.5);
        INDArray labels = oneHotLabels(batch, 3, 4, 5);
        int width = "GRU".equals(cell) || "RNN".equals(cell) ? HIDDEN : 2 * HIDDEN;
        Map<String, INDArray> state0 = asState.apply(Nd4j.rand(DataType.DOUBLE, batch, width).subi(0.5));
        Map<String, INDArray> state1 = asState.apply(Nd4j.rand(DataType.DOUBLE, batch, width).subi(0.5));
        Supplier<Double> loss = () -> {
            carry(net, 0, state0);
            carry(net, 1, state1);
            net.setInput(input);
            net.setLabels(labels);
            net.computeGradientAndScore();
            return net.score();
        };
        loss.get();
        INDArray analytic = net.gradient().gradient().div(batch);
        INDArray params = net.params();
        double worst = 0;
        long stride = Math.max(1, params.length() / 80); // a spread of parameters from every layer and kind
        for (long i = 0; i < params.length(); i += stride) {
            double original = params.getDouble(i);
            params.putScalar(i, original + 1e-6);
            double plus = loss.get();
            params.putScalar(i, original - 1e-6);
            double minus = loss.get();
            params.putScalar(i, original);
            double numeric = (plus - minus) / 2e-6;
            double a = analytic.getDouble(i);
            double difference = Math.abs(a - numeric);
            worst = Math.max(worst, difference < 1e-9 ? 0 : difference / (Math.abs(a) + Math.abs(numeric)));
        }
        return worst;
    }

    @ParameterizedTest
    @CsvSource({"HOST", "OPS"})
    void gruForwardMatchesNd4jsGruOp(LayerPath path) {
        int batch = 3;
        int nIn = 4;
        int n = 5;
        int steps = 6;
        MultiLayerNetwork inDouble = network("GRU", nIn, n, 1, BackpropType.Standard, 0);
        MultiLayerNetwork net = inOwnPrecision(inDouble, path);
        INDArray input = Nd4j.rand(DataType.DOUBLE, batch, nIn, steps).subi(0.5);
        INDArray ours = net.feedForward(input.castTo(net.params().dataType())).get(1).castTo(DataType.DOUBLE);

        Map<String, INDArray> p = inDouble.getLayer(0).paramTable();
        INDArray timeMajor = input.permute(2, 0, 1).dup('c');                    // [steps, batch, nIn]
        INDArray[] out = Nd4j.exec(new GRU(timeMajor, Nd4j.zeros(DataType.DOUBLE, batch, n),
                p.get("W").dup('c'), p.get("RW").dup('c'), p.get("b").dup('c')));
        INDArray reference = out[0].permute(1, 2, 0);                             // [batch, n, steps]

        assertThat(ours.equalsWithEps(reference, tolerance(path))).as("ours %s%nop %s", ours, reference).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"HOST, GRU", "HOST, RNN", "HOST, LSTM", "OPS, GRU", "OPS, RNN", "OPS, LSTM"})
    void stepByStepSamplingEqualsTheWholeSequenceAndSurvivesSerialisation(LayerPath path, String cell) throws Exception {
        MultiLayerNetwork net = inOwnPrecision(network(cell, 4, 6, 2, BackpropType.TruncatedBPTT, 5), path);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 4, 7).subi(0.5).castTo(net.params().dataType());
        INDArray whole = net.output(input);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = on(ModelSerializer.restoreMultiLayerNetwork(
                new ByteArrayInputStream(bytes.toByteArray()), true), path);
        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(restored.getLayer(0)).isInstanceOf(FusedRecurrentLayer.class);

        restored.rnnClearPreviousState();
        for (int t = 0; t < 7; t++) {
            INDArray step = restored.rnnTimeStep(input.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)));
            INDArray expected = whole.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t));
            assertThat(step.equalsWithEps(expected, tolerance(path))).as("step %s", t).isTrue();
        }
    }

    /** Puts the network's layers on {@code path}. */
    static MultiLayerNetwork on(MultiLayerNetwork net, LayerPath path) {
        return Compute.DEFAULT.on(path).applyTo(net);
    }

    /** A double network in the precision its path's own code computes in: float on the host path, double on the ops path. */
    static MultiLayerNetwork inOwnPrecision(MultiLayerNetwork inDouble, LayerPath path) {
        return on(path == LayerPath.HOST ? inDouble.convertDataType(DataType.FLOAT) : inDouble, path);
    }

    private static double tolerance(LayerPath path) {
        return path == LayerPath.HOST ? 1e-5 : 1e-10;
    }

    private static double relativeDifference(INDArray actual, INDArray expected) {
        INDArray difference = actual.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE));
        return difference.norm2Number().doubleValue() / expected.castTo(DataType.DOUBLE).norm2Number().doubleValue();
    }

    private static INDArray[] outputAndGradient(MultiLayerNetwork net, int threads, INDArray input, INDArray labels,
                                                INDArray mask) {
        DataType type = net.params().dataType();
        INDArray x = input.castTo(type);
        INDArray y = labels.castTo(type);
        INDArray m = mask == null ? null : mask.castTo(type);
        LayerPath path = ((FusedRecurrentLayer<?>) net.getLayer(0)).layerPath();
        try (Gang gang = new Gang(threads, "test-step")) {
            new Compute(path, gang).applyTo(net);
            INDArray output = net.output(x, false, m, m);
            net.setLayerMaskArrays(m, m);
            net.setInput(x);
            net.setLabels(y);
            net.computeGradientAndScore();
            return new INDArray[] {output, net.gradient().gradient().dup()};
        }
    }

    private static void carry(MultiLayerNetwork net, int layer, Map<String, INDArray> state) {
        net.rnnSetPreviousState(layer, state);
        ((org.deeplearning4j.nn.api.layers.RecurrentLayer) net.getLayer(layer)).rnnSetTBPTTState(state);
    }

    static MultiLayerNetwork network(String cell, int nIn, int hidden, int layers, BackpropType backprop, int tbptt) {
        return network(cell, nIn, hidden, layers, backprop, tbptt, false);
    }

    static MultiLayerNetwork network(String cell, int nIn, int hidden, int layers, BackpropType backprop, int tbptt,
                                     boolean dl4jOutput) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(12345).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .list();
        for (int i = 0; i < layers; i++) {
            BaseRecurrentLayer.Builder<?> layer = "GRU".equals(cell) ? new GruLayer.Builder()
                    : "LSTM".equals(cell) ? new LstmLayer.Builder()
                    : "DL4J_LSTM".equals(cell) ? new org.deeplearning4j.nn.conf.layers.LSTM.Builder() : new TanhRnnLayer.Builder();
            list.layer(layer.nIn(i == 0 ? nIn : hidden).nOut(hidden).biasInit(0.1).build());
        }
        RnnOutputLayer output = new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX).nIn(hidden).nOut(nIn).build();
        list.layer(dl4jOutput ? output : SoftmaxOutputLayer.of(output));
        list.backpropType(backprop);
        if (backprop == BackpropType.TruncatedBPTT) {
            list.tBPTTForwardLength(tbptt).tBPTTBackwardLength(tbptt);
        }
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static INDArray oneHotLabels(int batch, int classes, int steps, long seed) {
        Random random = new Random(seed);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, batch, classes, steps);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                labels.putScalar(b, random.nextInt(classes), t, 1.0);
            }
        }
        return labels;
    }
}
