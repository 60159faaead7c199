package dev.charrnn.model.inference;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.model.layers.GruLayerImpl;
import dev.charrnn.model.layers.LstmLayerImpl;
import dev.charrnn.model.layers.RecurrentParams;
import dev.charrnn.model.layers.TanhRnnLayerImpl;

/**
 * One recurrent layer's weights, copied row-major, and its step for a block of rows. The math
 * is the training layers' (model.layers), so a compiled network gives the training network's
 * outputs up to float rounding.
 */
abstract sealed class Cell {

    final int inputs;
    final int units;
    final int width;
    final boolean oneHotInput;
    private final float[][] inputWeights;
    private final float[][] recurrentWeights;
    private final float[] bias;

    Cell(Layer layer, int gates, boolean oneHotInput) {
        INDArray w = layer.getParam(RecurrentParams.WEIGHTS);
        this.inputs = (int) w.size(0);
        this.width = (int) w.size(1);
        this.units = width / gates;
        this.oneHotInput = oneHotInput;
        this.inputWeights = rows(w);
        this.recurrentWeights = rows(layer.getParam(RecurrentParams.RECURRENT_WEIGHTS));
        this.bias = rowMajor(layer.getParam(RecurrentParams.BIAS));
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

    static float[] rowMajor(INDArray array) {
        return array.dup('c').data().asFloat();
    }

    /** A matrix as one array per row (see {@link Kernels#accumulate}). */
    static float[][] rows(INDArray matrix) {
        return matrix.toFloatMatrix();
    }

    /** State floats per row: a multiple of {@code units} whose first block is the output h. */
    int stateWidth() {
        return units;
    }

    /**
     * Advances rows [from, to): {@code input[r]} is the layer below's state (its first
     * {@link #inputs} floats are h) or unused for a one-hot layer, where {@code symbols[r]} is the input.
     */
    abstract void step(float[][] input, int[] symbols, float[][] state, float[][] acc, float[][] recurrent,
                       int from, int to);

    /** acc[r] = b + x W for rows [from, to). */
    final void project(float[][] input, int[] symbols, float[][] acc, int from, int to) {
        for (int r = from; r < to; r++) {
            if (oneHotInput) {
                Kernels.biasPlusRow(acc[r], bias, inputWeights[symbols[r]], width);
            } else {
                System.arraycopy(bias, 0, acc[r], 0, width);
            }
        }
        if (!oneHotInput) {
            Kernels.accumulate(acc, input, from, to, inputs, inputWeights, width);
        }
    }

    /** target[r] += h' RW for rows [from, to). */
    final void addRecurrent(float[][] state, float[][] target, int from, int to) {
        Kernels.accumulate(target, state, from, to, units, recurrentWeights, width);
    }

    /** [i | f | g | o] gates, state [h | c]: as {@link LstmLayerImpl}. */
    static final class Lstm extends Cell {
        Lstm(Layer layer, boolean oneHotInput) {
            super(layer, 4, oneHotInput);
        }

        @Override
        int stateWidth() {
            return 2 * units;
        }

        @Override
        void step(float[][] input, int[] symbols, float[][] state, float[][] acc, float[][] recurrent, int from, int to) {
            project(input, symbols, acc, from, to);
            addRecurrent(state, acc, from, to);
            int n = units;
            for (int r = from; r < to; r++) {
                float[] a = acc[r];
                float[] s = state[r];
                for (int j = 0; j < n; j++) {
                    float i = Kernels.sigmoid(a[j]);
                    float f = Kernels.sigmoid(a[n + j]);
                    float g = Kernels.tanh(a[2 * n + j]);
                    float o = Kernels.sigmoid(a[3 * n + j]);
                    float c = f * s[n + j] + i * g;
                    s[n + j] = c;
                    s[j] = o * Kernels.tanh(c);
                }
            }
        }
    }

    /** [reset | update | candidate], reset applied after the recurrent product: as {@link GruLayerImpl}. */
    static final class Gru extends Cell {
        Gru(Layer layer, boolean oneHotInput) {
            super(layer, 3, oneHotInput);
        }

        @Override
        void step(float[][] input, int[] symbols, float[][] state, float[][] acc, float[][] recurrent, int from, int to) {
            project(input, symbols, acc, from, to);
            for (int r = from; r < to; r++) {
                java.util.Arrays.fill(recurrent[r], 0, width, 0f);
            }
            addRecurrent(state, recurrent, from, to);
            int n = units;
            for (int r = from; r < to; r++) {
                float[] a = acc[r];
                float[] h = recurrent[r];
                float[] s = state[r];
                for (int j = 0; j < n; j++) {
                    float reset = Kernels.sigmoid(a[j] + h[j]);
                    float update = Kernels.sigmoid(a[n + j] + h[n + j]);
                    float candidate = Kernels.tanh(a[2 * n + j] + h[2 * n + j] * reset);
                    s[j] = (s[j] - candidate) * update + candidate;
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
        void step(float[][] input, int[] symbols, float[][] state, float[][] acc, float[][] recurrent, int from, int to) {
            project(input, symbols, acc, from, to);
            addRecurrent(state, acc, from, to);
            for (int r = from; r < to; r++) {
                float[] a = acc[r];
                float[] s = state[r];
                for (int j = 0; j < units; j++) {
                    s[j] = Kernels.tanh(a[j]);
                }
            }
        }
    }
}
