package dev.charrnn.nn;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import dev.charrnn.nn.cpu.Gang;

/**
 * Softmax + cross-entropy over time-major rows: one product for the logits, softmax, loss and
 * dL/dz = p - y, two products for the gradients, on the layer's path ({@link SoftmaxHostPath} or
 * {@link SoftmaxOpsPath}). DL4J's RnnOutputLayer copies its input, labels and gradient into
 * reshaped arrays, and computes the forward pass twice per iteration (once for the gradient, once
 * for the score); that was a fifth of a vanilla RNN's training step. The loss is DL4J's exactly:
 * probabilities clipped to [eps, 1 - eps] in the score only, per-step masks, the sum over rows
 * divided by the minibatch. Configurations this class does not compute (another activation or
 * loss, class weights, per-output masks, weight noise, NWC layout) go to DL4J's implementation.
 */
public class SoftmaxOutputLayerImpl extends org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer {

    private LayerPath path = Compute.DEFAULT.resolvedPath();
    private Gang stepThreads = Compute.DEFAULT.stepThreads();
    /** Made when first used, so a layer on the ops path never creates the host path's machinery. */
    private SoftmaxPath hostPath;
    private SoftmaxPath opsPath;

    /** The loss the last backward pass computed, and for which input, labels and mask: the score that follows it. */
    private INDArray scoredInput;
    private INDArray scoredLabels;
    private INDArray scoredMask;
    private double scoredLoss;

    public SoftmaxOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The path this layer computes on: {@link LayerPath#HOST} or {@link LayerPath#OPS}. */
    public LayerPath layerPath() {
        return path;
    }

    /** Puts this layer on a path (host or ops) and its step threads. */
    void compute(Compute compute) {
        path = compute.resolvedPath();
        stepThreads = compute.stepThreads();
    }

    private SoftmaxPath path() {
        if (path == LayerPath.HOST) {
            if (hostPath == null) {
                hostPath = new SoftmaxHostPath(() -> stepThreads);
            }
            return hostPath;
        }
        if (opsPath == null) {
            opsPath = new SoftmaxOpsPath();
        }
        return opsPath;
    }

    private boolean computable() {
        RnnOutputLayer c = layerConf();
        return c.getRnnDataFormat() != RNNFormat.NWC && c.getActivationFn() instanceof ActivationSoftmax
                && c.getLossFn() instanceof LossMCXENT loss && loss.getWeights() == null && c.getWeightNoise() == null
                && hasBias() && input != null && input.rank() == 3
                && (maskArray == null || maskArray.isColumnVector());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr ws) {
        if (!computable()) {
            return super.activate(training, ws);
        }
        INDArray original = input;
        applyDropOutIfNecessary(training, ws);
        long batch = input.size(0);
        long steps = input.size(2);
        INDArray x = TimeMajor.rows(input.castTo(dataType), ws, ArrayType.FF_WORKING_MEM, dataType);
        input = original;
        INDArray probabilities = ws.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[] {steps * batch, layerConf().getNOut()}, 'c');
        path().probabilities(x, weights(), getParam(DefaultParamInitializer.BIAS_KEY), mask(), probabilities);
        return TimeMajor.sequence(probabilities, batch, steps);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr ws) {
        if (!computable() || labels == null || labels.rank() != 3) {
            return super.backpropGradient(epsilon, ws);
        }
        assertInputSet(true);
        INDArray original = input;
        applyDropOutIfNecessary(true, ws); // DL4J skips the output layer's forward pass in training
        long batch = input.size(0);
        long steps = input.size(2);
        int rows = (int) (steps * batch);
        INDArray x = TimeMajor.rows(input.castTo(dataType), ws, ArrayType.BP_WORKING_MEM, dataType);
        input = original;
        INDArray y = TimeMajor.rows(labels, ws, ArrayType.BP_WORKING_MEM, dataType);
        INDArray delta = ws.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                new long[] {rows, layerConf().getNOut()}, 'c');
        INDArray dW = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray dB = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        INDArray epsilon2d = ws.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {rows, layerConf().getNIn()}, 'c');
        double clip = ((LossMCXENT) layerConf().getLossFn()).getSoftmaxClipEps();
        double loss = path().backward(x, y, weights(), getParam(DefaultParamInitializer.BIAS_KEY), mask(), clip, delta,
                dW, dB, epsilon2d, ws);

        scoredInput = input;
        scoredLabels = labels;
        scoredMask = maskArray;
        scoredLoss = loss;
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, dW);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, dB);
        INDArray epsilon3d = backpropDropOutIfPresent(TimeMajor.sequence(epsilon2d, batch, steps));
        weightNoiseParams.clear();
        return new Pair<>(gradient, epsilon3d);
    }

    /** The loss of the backward pass just run, when the score is asked for the same input and labels; else DL4J's. */
    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr ws) {
        boolean same = scoredInput != null && scoredInput == input && scoredLabels == labels && scoredMask == maskArray;
        scoredInput = null; // once: the parameters change before the next pass
        if (!same) {
            return super.computeScore(fullNetRegTerm, training, ws);
        }
        double value = scoredLoss;
        if (conf().isMiniBatch()) {
            value /= getInputMiniBatchSize();
        }
        score = value + fullNetRegTerm;
        return score;
    }

    private INDArray weights() {
        return getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, false, LayerWorkspaceMgr.noWorkspaces());
    }

    /** The per-step mask as a column in row order t*batch + b (DL4J's order too), or null. */
    private INDArray mask() {
        return maskArray == null ? null : maskArray.castTo(dataType);
    }
}
