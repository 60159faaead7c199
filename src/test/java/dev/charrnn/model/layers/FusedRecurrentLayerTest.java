package dev.charrnn.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.GRU;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The hand-written backward passes of the GRU and the tanh RNN, checked against finite
 * differences in double precision: DL4J's GradientCheckUtil for whole sequences (with and without
 * masks, one and two layers), and a direct check of the truncated-BPTT path that starts from a
 * carried state.
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

    @ParameterizedTest(name = "{0}: batch {1}, nIn {2}, hidden {3}, steps {4}, layers {5}")
    @CsvSource({
            "GRU, 3, 4, 5, 6, 1",
            "GRU, 1, 3, 2, 1, 1",
            "GRU, 2, 5, 3, 4, 2",
            "RNN, 3, 4, 5, 6, 1",
            "RNN, 2, 3, 4, 5, 2",
            "LSTM, 3, 4, 5, 6, 1",
            "LSTM, 2, 5, 3, 4, 2"})
    void analyticGradientsMatchFiniteDifferences(String cell, int batch, int nIn, int hidden, int steps, int layers) {
        MultiLayerNetwork net = network(cell, nIn, hidden, layers, BackpropType.Standard, 0);
        INDArray input = Nd4j.rand(DataType.DOUBLE, batch, nIn, steps).subi(0.5);
        INDArray labels = oneHotLabels(batch, nIn, steps, 7);

        assertThat(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input)
                .labels(labels).epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-8))).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"GRU", "RNN", "LSTM"})
    void maskedStepsKeepTheStateAndTheGradientsStayExact(String cell) {
        MultiLayerNetwork net = network(cell, 3, 4, 1, BackpropType.Standard, 0);
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

    @ParameterizedTest
    @CsvSource({"GRU", "RNN", "LSTM"})
    void truncatedBpttGradientsFromACarriedStateMatchFiniteDifferences(String cell) {
        assertThat(worstCarriedStateError(cell, state -> Map.of(FusedRecurrentLayer.STATE_KEY, state)))
                .isLessThan(1e-5);
    }

    /** Threads that share a pass split the batch rows; outputs and gradients must not depend on how. */
    @ParameterizedTest
    @CsvSource({"GRU", "RNN", "LSTM"})
    void stepThreadsGiveTheSameOutputsAndGradientsAsOne(String cell) {
        INDArray input = Nd4j.rand(DataType.DOUBLE, 7, 4, 6).subi(0.5);
        INDArray labels = oneHotLabels(7, 4, 6, 13);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 7, 6);
        mask.putScalar(1, 5, 0.0);
        mask.putScalar(6, 4, 0.0);
        INDArray[] single = outputAndGradient(network(cell, 4, 7, 2, BackpropType.Standard, 0), 1, input, labels, mask);
        INDArray[] three = outputAndGradient(network(cell, 4, 7, 2, BackpropType.Standard, 0), 3, input, labels, mask);
        assertThat(three[0].equalsWithEps(single[0], 1e-12)).as("outputs").isTrue(); // six parts: 1, 1, 1, 1, 1 and 2 rows
        assertThat(three[1].equalsWithEps(single[1], 1e-12)).as("gradients").isTrue();
        assertThat(single[1].norm2Number().doubleValue()).isGreaterThan(1e-3);
    }

    /**
     * Unmasked float passes run in float throughout (FloatSteps: the cells' float math, the Java
     * kernel on a float copy of RW); double networks and masked passes take BLAS and double math.
     * The same network in both types agrees to float precision. Sizes make the kernel take both its vector blocks and its tails: 19 rows in four
     * parts over 2 threads (4, 5, 5 and 5 rows), 37 units (a column tail past whole vector pairs),
     * two layers.
     */
    @ParameterizedTest(name = "{0}, masked {1}")
    @CsvSource({"GRU, false", "RNN, false", "LSTM, false", "GRU, true", "RNN, true", "LSTM, true"})
    void floatNetworksAgreeWithDoubleOnes(String cell, boolean masked) {
        int batch = 19;
        INDArray input = Nd4j.rand(DataType.DOUBLE, batch, 5, 8).subi(0.5);
        INDArray labels = oneHotLabels(batch, 5, 8, 17);
        INDArray mask = masked ? Nd4j.ones(DataType.DOUBLE, batch, 8) : null;
        if (masked) {
            mask.putScalar(2, 7, 0.0);
            mask.putScalar(18, 6, 0.0);
        }
        MultiLayerNetwork inDouble = network(cell, 5, 37, 2, BackpropType.Standard, 0);
        MultiLayerNetwork inFloat = inDouble.convertDataType(DataType.FLOAT);
        INDArray[] expected = outputAndGradient(inDouble, 2, input, labels, mask);
        INDArray[] actual = outputAndGradient(inFloat, 2, input.castTo(DataType.FLOAT), labels.castTo(DataType.FLOAT),
                masked ? mask.castTo(DataType.FLOAT) : null);
        assertThat(relativeDifference(actual[0], expected[0])).as("outputs").isLessThan(1e-5);
        assertThat(relativeDifference(actual[1], expected[1])).as("gradients").isLessThan(1e-4);
        assertThat(expected[1].norm2Number().doubleValue()).isGreaterThan(1e-3);
    }

    /**
     * One-hot float input (characters, and a zero row as a padded step has) takes rows of W and
     * adds rows of dP into dW instead of BLAS; the double network takes BLAS. Both agree.
     */
    @ParameterizedTest
    @CsvSource({"GRU", "RNN", "LSTM"})
    void oneHotInputGivesWhatTheProductGives(String cell) {
        int batch = 11;
        INDArray input = oneHotLabels(batch, 6, 7, 29);
        for (int c = 0; c < 6; c++) {
            input.putScalar(new long[] {3, c, 4}, 0.0);
        }
        INDArray labels = oneHotLabels(batch, 6, 7, 31);
        MultiLayerNetwork inDouble = network(cell, 6, 37, 2, BackpropType.Standard, 0);
        MultiLayerNetwork inFloat = inDouble.convertDataType(DataType.FLOAT);
        INDArray[] expected = outputAndGradient(inDouble, 2, input, labels, null);
        INDArray[] actual = outputAndGradient(inFloat, 2, input.castTo(DataType.FLOAT), labels.castTo(DataType.FLOAT),
                null);
        assertThat(relativeDifference(actual[0], expected[0])).as("outputs").isLessThan(1e-5);
        assertThat(relativeDifference(actual[1], expected[1])).as("gradients").isLessThan(1e-4);
        INDArray firstLayerW = inFloat.getLayer(0).getGradientsViewArray().get(NDArrayIndex.interval(0, 6L * 37
                * (cell.equals("LSTM") ? 4 : cell.equals("GRU") ? 3 : 1)));
        assertThat(firstLayerW.norm2Number().doubleValue()).as("dL/dW of the first layer").isGreaterThan(1e-3);
    }

    /** A layer told its input gradient is not needed gives the same parameter gradients and no input gradient. */
    @ParameterizedTest
    @CsvSource({"GRU", "RNN", "LSTM"})
    void droppingTheInputGradientKeepsTheParameterGradients(String cell) {
        INDArray input = Nd4j.rand(DataType.DOUBLE, 4, 5, 6).subi(0.5);
        INDArray labels = oneHotLabels(4, 5, 6, 37);
        MultiLayerNetwork net = network(cell, 5, 7, 2, BackpropType.Standard, 0);
        var full = net.calculateGradients(input, labels, null, null);
        FusedRecurrentLayer<?> first = (FusedRecurrentLayer<?>) net.getLayer(0);
        first.inputGradientNeeded(false);
        try {
            net.setInput(input);
            net.setLabels(labels);
            net.computeGradientAndScore();
            assertThat(net.gradient().gradient().equalsWithEps(full.getFirst().gradient(), 1e-12)).isTrue();
            assertThat(first.backpropGradient(Nd4j.ones(DataType.DOUBLE, 4, 7, 6),
                    org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()).getSecond()).isNull();
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
    @ParameterizedTest
    @CsvSource({"GRU", "RNN", "LSTM"})
    void truncatedBackpropIgnoresWhatTheWorkspaceHeld(String cell) {
        MultiLayerNetwork net = network(cell, 4, 5, 1, BackpropType.Standard, 0);
        net.initGradientsView();
        FusedRecurrentLayer<?> layer = (FusedRecurrentLayer<?>) net.getLayer(0);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 4, 6).subi(0.5);
        INDArray epsilon = Nd4j.rand(DataType.DOUBLE, 3, 5, 6).subi(0.5);
        org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration config =
                org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration.builder().initialSize(1 << 20)
                        .policyLearning(org.nd4j.linalg.api.memory.enums.LearningPolicy.NONE).build();
        org.deeplearning4j.nn.workspace.LayerWorkspaceMgr ws = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr
                .builder().defaultWorkspace("truncated-test", config).build();
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
                                                 org.deeplearning4j.nn.workspace.LayerWorkspaceMgr ws,
                                                 org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration config,
                                                 int backLength) {
        INDArray inputGradient;
        try (org.nd4j.linalg.api.memory.MemoryWorkspace scope =
                     Nd4j.getWorkspaceManager().getAndActivateWorkspace(config, "truncated-test")) {
            layer.setInput(input, ws);
            inputGradient = layer.tbpttBackpropGradient(epsilon, backLength, ws).getSecond().detach();
        }
        return new INDArray[] {layer.getGradientsViewArray().dup(), inputGradient};
    }

    /** ||dL/dh_t|| of the first sequence (the gradient-flow probe's record) is the same from the float loops. */
    @ParameterizedTest
    @CsvSource({"GRU", "RNN", "LSTM"})
    void floatNetworksRecordTheSameHiddenGradientNorms(String cell) {
        INDArray input = Nd4j.rand(DataType.DOUBLE, 6, 5, 9).subi(0.5);
        INDArray labels = oneHotLabels(6, 5, 9, 23);
        MultiLayerNetwork inDouble = network(cell, 5, 37, 2, BackpropType.Standard, 0);
        MultiLayerNetwork inFloat = inDouble.convertDataType(DataType.FLOAT);
        double[] expected = hiddenGradientNorms(inDouble, input, labels);
        double[] actual = hiddenGradientNorms(inFloat, input.castTo(DataType.FLOAT), labels.castTo(DataType.FLOAT));
        assertThat(actual).hasSize(9);
        for (int t = 0; t < 9; t++) {
            assertThat(expected[t]).isGreaterThan(1e-6);
            assertThat(Math.abs(actual[t] - expected[t]) / expected[t]).as("step %d", t).isLessThan(1e-4);
        }
    }

    private static double[] hiddenGradientNorms(MultiLayerNetwork net, INDArray input, INDArray labels) {
        FusedRecurrentLayer<?> first = (FusedRecurrentLayer<?>) net.getLayer(0);
        first.recordHiddenGradients(true);
        outputAndGradient(net, 2, input, labels, null);
        return first.hiddenGradientNorms();
    }

    private static double relativeDifference(INDArray actual, INDArray expected) {
        INDArray difference = actual.castTo(DataType.DOUBLE).sub(expected);
        return difference.norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    }

    private static INDArray[] outputAndGradient(MultiLayerNetwork net, int threads, INDArray input, INDArray labels,
                                                INDArray mask) {
        StepThreads.configure(threads);
        try {
            INDArray output = net.output(input, false, mask, mask);
            net.setLayerMaskArrays(mask, mask);
            net.setInput(input);
            net.setLabels(labels);
            net.computeGradientAndScore();
            return new INDArray[] {output, net.gradient().gradient().dup()};
        } finally {
            StepThreads.configure(Runtime.getRuntime().availableProcessors());
        }
    }

    /** The service's output layer computes DL4J's RnnOutputLayer: probabilities, loss, gradients, dL/dinput. */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void softmaxOutputLayerComputesWhatDl4jsRnnOutputLayerDoes(boolean masked) {
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 4, 6).subi(0.5);
        INDArray labels = oneHotLabels(3, 4, 6, 17);
        INDArray mask = masked ? Nd4j.ones(DataType.DOUBLE, 3, 6) : null;
        if (masked) {
            mask.putScalar(0, 5, 0.0);
            mask.putScalar(2, 0, 0.0);
        }
        MultiLayerNetwork ours = network("GRU", 4, 5, 1, BackpropType.Standard, 0);
        MultiLayerNetwork dl4j = network("GRU", 4, 5, 1, BackpropType.Standard, 0, true);
        dl4j.setParams(ours.params());
        assertThat(ours.getOutputLayer()).isInstanceOf(SoftmaxOutputLayerImpl.class);

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
        org.nd4j.common.primitives.Pair<org.deeplearning4j.nn.gradient.Gradient, INDArray> a =
                ours.calculateGradients(input, labels, mask, mask);
        org.nd4j.common.primitives.Pair<org.deeplearning4j.nn.gradient.Gradient, INDArray> b =
                dl4j.calculateGradients(input, labels, mask, mask);
        assertThat(a.getSecond().equalsWithEps(b.getSecond(), 1e-12)).as("dL/dinput").isTrue();
        assertThat(a.getSecond().norm2Number().doubleValue()).isGreaterThan(1e-6);
    }

    /** Why the LSTM is ours: DL4J's restarts its tBPTT backward pass from zeros, not the carried state. */
    @Test
    void stockDl4jLstmGradientsIgnoreTheCarriedState() {
        assertThat(worstCarriedStateError("DL4J_LSTM", state -> Map.of("prevAct", state.get(NDArrayIndex.all(),
                NDArrayIndex.interval(0, HIDDEN)), "prevMem", state.get(NDArrayIndex.all(), NDArrayIndex.interval(HIDDEN, 2 * HIDDEN)))))
                .isGreaterThan(1e-2);
    }

    /**
     * Largest relative error between the tBPTT gradient (what fit uses) and central differences of the
     * loss of a window that starts from a random carried state in both layers. DL4J's raw gradient
     * is summed over the minibatch (its updater divides later), the score averaged: hence / batch.
     */
    private static double worstCarriedStateError(String cell, java.util.function.Function<INDArray, Map<String, INDArray>> asState) {
        int batch = 2;
        MultiLayerNetwork net = network(cell, 3, HIDDEN, 2, BackpropType.TruncatedBPTT, 4);
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

    @Test
    void gruForwardMatchesNd4jsGruOp() {
        int batch = 3;
        int nIn = 4;
        int n = 5;
        int steps = 6;
        MultiLayerNetwork net = network("GRU", nIn, n, 1, BackpropType.Standard, 0);
        INDArray input = Nd4j.rand(DataType.DOUBLE, batch, nIn, steps).subi(0.5);
        INDArray ours = net.feedForward(input).get(1);                            // [batch, n, steps]

        Map<String, INDArray> p = net.getLayer(0).paramTable();
        INDArray timeMajor = input.permute(2, 0, 1).dup('c');                    // [steps, batch, nIn]
        INDArray[] out = Nd4j.exec(new GRU(timeMajor, Nd4j.zeros(DataType.DOUBLE, batch, n),
                p.get("W").dup('c'), p.get("RW").dup('c'), p.get("b").dup('c')));
        INDArray reference = out[0].permute(1, 2, 0);                             // [batch, n, steps]

        assertThat(ours.equalsWithEps(reference, 1e-10)).as("ours %s%nop %s", ours, reference).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"GRU", "RNN", "LSTM"})
    void stepByStepSamplingEqualsTheWholeSequenceAndSurvivesSerialisation(String cell) throws Exception {
        MultiLayerNetwork net = network(cell, 4, 6, 2, BackpropType.TruncatedBPTT, 5);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 4, 7).subi(0.5);
        INDArray whole = net.output(input);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(restored.getLayer(0)).isInstanceOf(FusedRecurrentLayer.class);

        restored.rnnClearPreviousState();
        for (int t = 0; t < 7; t++) {
            INDArray step = restored.rnnTimeStep(input.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t)));
            INDArray expected = whole.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t));
            assertThat(step.equalsWithEps(expected, 1e-10)).as("step %s", t).isTrue();
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

    private static INDArray oneHotLabels(int batch, int classes, int steps, long seed) {
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
