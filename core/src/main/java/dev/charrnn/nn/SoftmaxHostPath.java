package dev.charrnn.nn;

import java.util.function.Supplier;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.nn.cpu.Blas;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.nn.cpu.HostBuffers;

/**
 * The softmax output layer on the CPU: one OpenBLAS product for the logits, softmax, loss and
 * dL/dz = p - y in Java on the host rows, shared by the step threads by bands of rows, and two
 * products for the gradients. Any data type, with or without a mask.
 */
final class SoftmaxHostPath implements SoftmaxPath {

    private final HostBuffers host = new HostBuffers();
    /** The layer's step threads, read at each pass: the layer may be given others between passes. */
    private final Supplier<Gang> stepThreads;
    /** Per part of a pass: the host rows of the softmax, which the step threads share by rows. */
    private HostBuffers[] partHosts = new HostBuffers[0];

    SoftmaxHostPath(Supplier<Gang> stepThreads) {
        this.stepThreads = stepThreads;
    }

    @Override
    public void probabilities(INDArray x, INDArray w, INDArray b, INDArray maskColumn, INDArray out) {
        double[] mask = maskValues(maskColumn);
        double[] bias = biasValues(b);
        Gang gang = stepThreads.get().acquire();
        try {
            Blas.gemm(gang, Blas.Block.of(x), false, Blas.Block.of(w), false, Blas.Block.of(out), 1.0, 0.0);
            inParts(gang, Blas.Block.of(out), (part, h, p, from, count) -> {
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
    }

    @Override
    public double backward(INDArray x, INDArray y, INDArray w, INDArray b, INDArray maskColumn, double clip,
                           INDArray delta, INDArray dW, INDArray dB, INDArray epsilon, LayerWorkspaceMgr workspaces) {
        double[] mask = maskValues(maskColumn);
        double[] bias = biasValues(b);
        int width = bias.length;
        Blas.Block labelRows = Blas.Block.of(y);
        double[] dBias = new double[width];
        double loss;
        Gang gang = stepThreads.get().acquire();
        try {
            Blas.gemm(gang, Blas.Block.of(x), false, Blas.Block.of(w), false, Blas.Block.of(delta), 1.0, 0.0);
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
            Blas.gemm(gang, Blas.Block.of(delta), false, Blas.Block.of(w), true, Blas.Block.of(epsilon), 1.0, 0.0);
        } finally {
            gang.release();
        }
        INDArray biasRow = org.nd4j.linalg.factory.Nd4j.createUninitialized(dB.dataType(), 1, width);
        host.write(dBias, biasRow);
        dB.assign(biasRow.reshape(dB.shape()));
        return loss;
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

    private double[] biasValues(INDArray b) {
        return host.read(b, 2).clone();
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
    private double[] maskValues(INDArray mask) {
        return mask == null ? null : host.read(mask, 3);
    }
}
