package dev.charrnn.model.layers;

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

import dev.charrnn.model.Gang;

/**
 * Softmax + cross-entropy over time-major rows: one product for the logits, softmax, loss and
 * dL/dz = p - y on the host, two products for the gradients. DL4J's RnnOutputLayer copies its
 * input, labels and gradient into reshaped arrays, and computes the forward pass twice per
 * iteration (once for the gradient, once for the score); that was a fifth of a vanilla RNN's
 * training step. The loss is DL4J's exactly: probabilities clipped to [eps, 1 - eps] in the score
 * only, per-step masks, the sum over rows divided by the minibatch. Configurations this class does
 * not compute (another activation or loss, class weights, per-output masks, weight noise, NWC
 * layout) go to DL4J's implementation.
 */
public class SoftmaxOutputLayerImpl extends org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer {

    private final HostBuffers host = new HostBuffers();
    /** Per part of a pass: the host rows of the softmax, which the step threads share by rows. */
    private HostBuffers[] partHosts = new HostBuffers[0];

    /** The loss the last backward pass computed, and for which input, labels and mask: the score that follows it. */
    private INDArray scoredInput;
    private INDArray scoredLabels;
    private INDArray scoredMask;
    private double scoredLoss;

    public SoftmaxOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
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
        logits(x, probabilities);
        double[] mask = maskValues();
        double[] bias = biasValues();
        Gang gang = StepThreads.acquire();
        try {
            inParts(gang, Blas.Block.of(probabilities), (part, h, p, from, count) -> {
                softmax(p, count, bias);
                if (mask != null) {
                    int width = bias.length;
                    for (int r = 0; r < count; r++) {
                        for (int v = 0; v < width; v++) {
                            p[r * width + v] *= mask[from + r];
                        }
                    }
                }
                return 0;
            });
        } finally {
            gang.release();
        }
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
        int width = (int) layerConf().getNOut();
        INDArray x = TimeMajor.rows(input.castTo(dataType), ws, ArrayType.BP_WORKING_MEM, dataType);
        input = original;
        INDArray y = TimeMajor.rows(labels, ws, ArrayType.BP_WORKING_MEM, dataType);
        INDArray delta = ws.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {rows, width}, 'c');
        logits(x, delta);
        double[] mask = maskValues();
        double[] bias = biasValues();
        double clip = ((LossMCXENT) layerConf().getLossFn()).getSoftmaxClipEps();
        Blas.Block labelRows = Blas.Block.of(y);
        INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, ws);
        INDArray dW = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray dB = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        INDArray epsilon2d = ws.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {rows, layerConf().getNIn()}, 'c');
        double[] dBias = new double[width];
        double loss;
        Gang gang = StepThreads.acquire();
        try {
            double[][] partBias = new double[gang.size()][width];
            loss = inParts(gang, Blas.Block.of(delta), (part, h, z, from, count) -> {
                softmax(z, count, bias);
                double[] target = h.read(labelRows.rows(from, count), 1);
                double[] sums = partBias[part];
                double partLoss = 0;
                for (int r = 0; r < count; r++) {
                    double m = mask == null ? 1.0 : mask[from + r];
                    for (int v = 0; v < width; v++) {
                        int k = r * width + v;
                        double p = z[k];
                        if (target[k] != 0) {
                            double clipped = clip > 0 ? Math.min(Math.max(p, clip), 1 - clip) : p;
                            partLoss -= Math.log(clipped) * target[k] * m;
                        }
                        z[k] = (p - target[k]) * m;
                        sums[v] += z[k];
                    }
                }
                return partLoss;
            });
            for (double[] sums : partBias) {
                for (int v = 0; v < width; v++) {
                    dBias[v] += sums[v];
                }
            }
            Blas.gemm(gang, Blas.Block.of(x), true, Blas.Block.of(delta), false, Blas.Block.of(dW), 1.0, 0.0);
            Blas.gemm(gang, Blas.Block.of(delta), false, Blas.Block.of(w), true, Blas.Block.of(epsilon2d), 1.0, 0.0);
        } finally {
            gang.release();
        }
        INDArray biasValues = org.nd4j.linalg.factory.Nd4j.createUninitialized(dataType, 1, width);
        host.write(dBias, biasValues);
        dB.assign(biasValues.reshape(dB.shape()));

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

    /** target = x W (+ b on the host, with the softmax). */
    private void logits(INDArray x, INDArray target) {
        INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, false, LayerWorkspaceMgr.noWorkspaces());
        Gang gang = StepThreads.acquire();
        try {
            Blas.gemm(gang, Blas.Block.of(x), false, Blas.Block.of(w), false, Blas.Block.of(target), 1.0, 0.0);
        } finally {
            gang.release();
        }
    }

    /** Work on a band of rows: {@code values} holds rows [from, from + count) of the block, written back after. */
    private interface RowBand {
        double apply(int part, HostBuffers host, double[] values, int from, int count);
    }

    /** Runs {@code band} on the gang's parts of a block's rows; returns the sum of what the parts return. */
    private double inParts(Gang gang, Blas.Block block, RowBand band) {
        int parts = gang.size();
        if (partHosts.length < parts) {
            partHosts = new HostBuffers[parts];
            for (int p = 0; p < parts; p++) {
                partHosts[p] = new HostBuffers();
            }
        }
        double[] results = new double[parts];
        gang.run(part -> {
            int from = partStart(part, block.rows, parts);
            int count = partStart(part + 1, block.rows, parts) - from;
            HostBuffers h = partHosts[part];
            Blas.Block rows = block.rows(from, count);
            double[] values = h.read(rows, 0);
            results[part] = band.apply(part, h, values, from, count);
            h.write(values, rows);
        });
        double sum = 0;
        for (double result : results) {
            sum += result;
        }
        return sum;
    }

    private static int partStart(int part, int rows, int parts) {
        return (int) ((long) rows * part / parts);
    }

    private double[] biasValues() {
        return host.read(getParam(DefaultParamInitializer.BIAS_KEY), 2).clone();
    }

    /** Row-wise softmax of x W + b, in place, over the first {@code rows} rows. */
    private static void softmax(double[] logits, int rows, double[] bias) {
        int width = bias.length;
        for (int r = 0; r < rows; r++) {
            int row = r * width;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < width; v++) {
                logits[row + v] += bias[v];
                max = Math.max(max, logits[row + v]);
            }
            double sum = 0;
            for (int v = 0; v < width; v++) {
                double e = Math.exp(logits[row + v] - max);
                logits[row + v] = e;
                sum += e;
            }
            for (int v = 0; v < width; v++) {
                logits[row + v] /= sum;
            }
        }
    }

    /** The per-step mask as host values in row order t*batch + b (DL4J's order too), or null. */
    private double[] maskValues() {
        return maskArray == null ? null : host.read(maskArray.castTo(dataType), 3);
    }
}
