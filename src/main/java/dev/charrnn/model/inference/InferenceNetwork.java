package dev.charrnn.model.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

/**
 * A trained network compiled for generation: its weights copied once into plain arrays and its
 * cells stepped in plain Java, one character at a time, with no arrays allocated per character
 * beyond a handful of row pointers.
 * A DL4J step costs a dozen native calls per layer, each far slower than the arithmetic of
 * a 256-unit cell; here a step is a few tight loops over data that stays in cache.
 *
 * <p>Immutable and shared by every request on the model; the recurrent state lives in
 * {@link Row}s, which belong to their caller. A row's numbers do not depend on which other rows
 * share its step (see {@link Kernels}).
 */
public final class InferenceNetwork {

    private final Cell[] cells;
    private final float[][] outputWeights;
    private final float[] outputBias;
    private final int outputInputs;
    private final int vocabularySize;
    private final int widest;

    private InferenceNetwork(Cell[] cells, float[][] outputWeights, float[] outputBias, int vocabularySize) {
        this.cells = cells;
        this.outputWeights = outputWeights;
        this.outputBias = outputBias;
        this.vocabularySize = vocabularySize;
        this.outputInputs = cells[cells.length - 1].units;
        int max = vocabularySize;
        for (Cell cell : cells) {
            max = Math.max(max, cell.width);
        }
        this.widest = max;
    }

    /** Compiles a network of the service's recurrent layers topped by a softmax output layer. */
    public static InferenceNetwork of(MultiLayerNetwork network) {
        Layer[] layers = network.getLayers();
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < layers.length - 1; i++) {
            cells.add(Cell.of(layers[i], i == 0));
        }
        Layer output = layers[layers.length - 1];
        if (!(output.conf().getLayer() instanceof BaseOutputLayer conf)
                || !(conf.getActivationFn() instanceof ActivationSoftmax)) {
            throw new IllegalArgumentException("the last layer must be a softmax output layer");
        }
        float[] bias = Cell.rowMajor(output.getParam("b"));
        return new InferenceNetwork(cells.toArray(Cell[]::new), Cell.rows(output.getParam("W")), bias, bias.length);
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    /** A stream at the start of a text: zero state, no distribution yet. */
    public Row newRow() {
        return new Row(this);
    }

    /** Feeds {@code symbols} to one row in order; its probabilities then predict what follows them. */
    public void feed(Row row, int[] symbols) {
        Row[] single = {row};
        int[] symbol = new int[1];
        for (int s : symbols) {
            symbol[0] = s;
            step(single, symbol, 1);
        }
    }

    /**
     * Advances the first {@code count} rows by one character each ({@code symbols[r]} for row r);
     * each row's {@link Row#probabilities()} then hold its next-character distribution.
     */
    public void step(Row[] rows, int[] symbols, int count) {
        stepRows(rows, symbols, 0, count);
    }

    /**
     * As {@link #step(Row[], int[], int)}, with the rows shared out among the caller and up to
     * {@code helpers} tasks on {@code pool}: rows are independent, so the result is the same.
     */
    public void step(Row[] rows, int[] symbols, int count, Executor pool, int helpers) {
        int blocks = (count + Kernels.ROW_BLOCK - 1) / Kernels.ROW_BLOCK;
        int parts = Math.min(blocks, helpers + 1);
        if (parts < 2) {
            stepRows(rows, symbols, 0, count);
            return;
        }
        CompletableFuture<?>[] others = new CompletableFuture<?>[parts - 1];
        for (int part = 1; part < parts; part++) {
            int from = Math.min(count, blocks * part / parts * Kernels.ROW_BLOCK);
            int to = Math.min(count, blocks * (part + 1) / parts * Kernels.ROW_BLOCK);
            others[part - 1] = CompletableFuture.runAsync(() -> stepRows(rows, symbols, from, to), pool);
        }
        stepRows(rows, symbols, 0, Math.min(count, blocks / parts * Kernels.ROW_BLOCK));
        CompletableFuture.allOf(others).join();
    }

    private void stepRows(Row[] rows, int[] symbols, int from, int to) {
        for (int start = from; start < to; start += Kernels.ROW_BLOCK) {
            stepBlock(rows, symbols, start, Math.min(to, start + Kernels.ROW_BLOCK));
        }
    }

    private void stepBlock(Row[] rows, int[] symbols, int from, int to) {
        float[][] below = null;
        float[][] acc = new float[to][];
        float[][] recurrent = new float[to][];
        float[][] state = new float[to][];
        int[] blockSymbols = new int[to];
        for (int r = from; r < to; r++) {
            acc[r] = rows[r].acc;
            recurrent[r] = rows[r].recurrent;
            blockSymbols[r] = checkSymbol(symbols[r]);
        }
        for (int l = 0; l < cells.length; l++) {
            for (int r = from; r < to; r++) {
                state[r] = rows[r].states[l];
            }
            cells[l].step(below, blockSymbols, state, acc, recurrent, from, to);
            below = state.clone();
        }
        for (int r = from; r < to; r++) {
            System.arraycopy(outputBias, 0, acc[r], 0, vocabularySize);
        }
        Kernels.accumulate(acc, below, from, to, outputInputs, outputWeights, vocabularySize);
        for (int r = from; r < to; r++) {
            Kernels.softmax(acc[r], vocabularySize, rows[r].probabilities);
        }
    }

    private int checkSymbol(int symbol) {
        if (symbol < 0 || symbol >= vocabularySize) {
            throw new IllegalArgumentException("symbol " + symbol + " outside the vocabulary of " + vocabularySize);
        }
        return symbol;
    }

    /** One stream's recurrent state, scratch space and latest next-character distribution. */
    public static final class Row {
        private final float[][] states;
        private final float[] acc;
        private final float[] recurrent;
        private final float[] probabilities;

        private Row(InferenceNetwork network) {
            states = new float[network.cells.length][];
            for (int l = 0; l < states.length; l++) {
                states[l] = new float[network.cells[l].stateWidth()];
            }
            acc = new float[network.widest];
            recurrent = new float[network.widest];
            probabilities = new float[network.vocabularySize];
        }

        private Row(Row other) {
            states = new float[other.states.length][];
            for (int l = 0; l < states.length; l++) {
                states[l] = other.states[l].clone();
            }
            acc = new float[other.acc.length];
            recurrent = new float[other.recurrent.length];
            probabilities = other.probabilities.clone();
        }

        /** The next-character distribution after the last step (live: the next step overwrites it). */
        public float[] probabilities() {
            return probabilities;
        }

        /** An independent stream in the same state: how n samples share one pass over their prime. */
        public Row copy() {
            return new Row(this);
        }

        /** Layer {@code layer}'s state: h, then (LSTM) the memory cell. For tests and probes. */
        public float[] state(int layer) {
            return states[layer].clone();
        }
    }
}
