package dev.charrnn.sample;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.nn.GruLayerImpl;
import dev.charrnn.nn.LstmLayerImpl;
import dev.charrnn.nn.RecurrentParams;
import dev.charrnn.nn.TanhRnnLayerImpl;
import dev.charrnn.nn.cpu.Kernels;

/**
 * One recurrent layer's weights and its step. The math is the training layers' ({@code nn}),
 * so a compiled network gives the training network's outputs up to float rounding.
 *
 * <p>Columns are reordered unit-major: unit j's gates sit side by side at columns
 * {@code j*gates .. j*gates+gates-1}, so a range of units is one range of columns and threads
 * can split a step by units. A step reads the previous state and writes the next one into a
 * second buffer, since other threads still read the previous state while one writes.
 */
abstract sealed class Cell {

    final int inputs;
    final int units;
    final int gates;
    final int width;
    private final boolean oneHotInput;
    private final float[][] inputWeights;
    private final float[][] recurrentWeights;
    private final float[] bias;

    Cell(Layer layer, int gates, boolean oneHotInput) {
        INDArray w = layer.getParam(RecurrentParams.WEIGHTS);
        this.inputs = (int) w.size(0);
        this.width = (int) w.size(1);
        this.gates = gates;
        this.units = width / gates;
        this.oneHotInput = oneHotInput;
        this.inputWeights = unitMajor(w.toFloatMatrix());
        this.recurrentWeights = unitMajor(layer.getParam(RecurrentParams.RECURRENT_WEIGHTS).toFloatMatrix());
        this.bias = unitMajor(new float[][] {layer.getParam(RecurrentParams.BIAS).dup('c').data().asFloat()})[0];
    }

    static Cell of(Layer layer, boolean oneHotInput) {
        if (layer instanceof LstmLayerImpl) {
            return new Lstm(layer, oneHotInput);
        }
        if (layer instanceof GruLayerImpl) {
            return new Gru(layer, oneHotInput);
        }
        if (layer instanceof TanhRnnLayerImpl) {
            return new Rnn(layer, oneHotInput);
        }
        throw new IllegalArgumentException("no inference kernel for layer " + layer.getClass().getSimpleName());
    }

    /** Gate-major columns [gate g, unit j] at g*units+j moved to j*gates+g. */
    private float[][] unitMajor(float[][] gateMajor) {
        float[][] result = new float[gateMajor.length][width];
        for (int i = 0; i < gateMajor.length; i++) {
            for (int g = 0; g < gates; g++) {
                for (int j = 0; j < units; j++) {
                    result[i][j * gates + g] = gateMajor[i][g * units + j];
                }
            }
        }
        return result;
    }

    /** State floats per row: a multiple of {@code units} whose first block is the output h. */
    int stateWidth() {
        return units;
    }

    /**
     * Advances units [u0, u1) of rows [from, to): reads {@code previous[r]} and, for a dense
     * input, {@code input[r]} (the layer below's new state; a one-hot layer reads {@code symbols[r]}),
     * writes {@code next[r]}. {@code acc} and {@code recurrent} are scratch, gates wide.
     */
    abstract void step(float[][] input, int[] symbols, float[][] previous, float[][] next, float[][] acc,
                       float[][] recurrent, int from, int to, int u0, int u1);

    /** acc[r] = b + x W over the columns of units [u0, u1). */
    final void project(float[][] input, int[] symbols, float[][] acc, int from, int to, int u0, int u1) {
        int c0 = u0 * gates;
        int c1 = u1 * gates;
        for (int r = from; r < to; r++) {
            float[] a = acc[r];
            float[] row = oneHotInput ? inputWeights[symbols[r]] : null;
            for (int c = c0; c < c1; c++) {
                a[c] = row != null ? row[c] + bias[c] : bias[c];
            }
        }
        if (!oneHotInput) {
            Kernels.accumulate(acc, input, from, to, inputs, inputWeights, c0, c1);
        }
    }

    /** target[r] += h' RW over the columns of units [u0, u1). */
    final void addRecurrent(float[][] previous, float[][] target, int from, int to, int u0, int u1) {
        Kernels.accumulate(target, previous, from, to, units, recurrentWeights, u0 * gates, u1 * gates);
    }

    /** The activation scales of unit-major columns: 1/2 for a sigmoid gate, 1 for a tanh one (see Kernels#activate). */
    final float[] scales(float... perGate) {
        float[] scale = new float[width];
        for (int c = 0; c < width; c++) {
            scale[c] = perGate[c % gates];
        }
        return scale;
    }

    /** Gates i, f, g, o; state [h | c]: as {@link LstmLayerImpl}. */
    static final class Lstm extends Cell {
        private final float[] scale = scales(0.5f, 0.5f, 1f, 0.5f);

        Lstm(Layer layer, boolean oneHotInput) {
            super(layer, 4, oneHotInput);
        }

        @Override
        int stateWidth() {
            return 2 * units;
        }

        @Override
        void step(float[][] input, int[] symbols, float[][] previous, float[][] next, float[][] acc,
                  float[][] recurrent, int from, int to, int u0, int u1) {
            project(input, symbols, acc, from, to, u0, u1);
            addRecurrent(previous, acc, from, to, u0, u1);
            int n = units;
            for (int r = from; r < to; r++) {
                float[] a = acc[r];
                float[] before = previous[r];
                float[] after = next[r];
                Kernels.activate(a, scale, 4 * u0, 4 * u1);
                for (int j = u0; j < u1; j++) {
                    int c = 4 * j;
                    float cell = a[c + 1] * before[n + j] + a[c] * a[c + 2];
                    after[n + j] = cell;
                    after[j] = cell;
                }
                Kernels.tanh(after, u0, u1);
                for (int j = u0; j < u1; j++) {
                    after[j] *= a[4 * j + 3];
                }
            }
        }
    }

    /** Gates reset, update, candidate; reset applied after the recurrent product: as {@link GruLayerImpl}. */
    static final class Gru extends Cell {
        private final float[] scale = scales(0.5f, 0.5f, 0.5f);
        /** 1 for the gates whose pre-activation includes h' R directly (reset, update), 0 for the candidate. */
        private final float[] recurrentInGate = scales(1f, 1f, 0f);

        Gru(Layer layer, boolean oneHotInput) {
            super(layer, 3, oneHotInput);
        }

        @Override
        void step(float[][] input, int[] symbols, float[][] previous, float[][] next, float[][] acc,
                  float[][] recurrent, int from, int to, int u0, int u1) {
            project(input, symbols, acc, from, to, u0, u1);
            for (int r = from; r < to; r++) {
                java.util.Arrays.fill(recurrent[r], u0 * gates, u1 * gates, 0f);
            }
            addRecurrent(previous, recurrent, from, to, u0, u1);
            for (int r = from; r < to; r++) {
                float[] a = acc[r];
                float[] h = recurrent[r];
                float[] before = previous[r];
                float[] after = next[r];
                for (int j = u0; j < u1; j++) {
                    after[j] = a[3 * j + 2]; // the candidate's x W + b, kept aside
                }
                for (int c = 3 * u0; c < 3 * u1; c++) {
                    a[c] += h[c] * recurrentInGate[c]; // reset and update: x W + b + h' R
                }
                Kernels.activate(a, scale, 3 * u0, 3 * u1); // (the candidate columns' results are unused)
                for (int j = u0; j < u1; j++) {
                    after[j] += h[3 * j + 2] * a[3 * j];
                }
                Kernels.tanh(after, u0, u1);
                for (int j = u0; j < u1; j++) {
                    after[j] = (before[j] - after[j]) * a[3 * j + 1] + after[j];
                }
            }
        }
    }

    /** h = tanh(x W + h' R + b): as {@link TanhRnnLayerImpl}. */
    static final class Rnn extends Cell {
        Rnn(Layer layer, boolean oneHotInput) {
            super(layer, 1, oneHotInput);
        }

        @Override
        void step(float[][] input, int[] symbols, float[][] previous, float[][] next, float[][] acc,
                  float[][] recurrent, int from, int to, int u0, int u1) {
            project(input, symbols, acc, from, to, u0, u1);
            addRecurrent(previous, acc, from, to, u0, u1);
            for (int r = from; r < to; r++) {
                System.arraycopy(acc[r], u0, next[r], u0, u1 - u0);
                Kernels.tanh(next[r], u0, u1);
            }
        }
    }
}
