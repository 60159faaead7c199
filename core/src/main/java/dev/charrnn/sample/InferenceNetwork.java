package dev.charrnn.sample;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.nn.cpu.Kernels;

/**
 * A trained network compiled for generation: its weights copied once into plain arrays and its
 * cells stepped in plain Java, one character at a time, with no arrays allocated per character
 * beyond a handful of row pointers. A DL4J step costs a dozen native calls per layer, each slower
 * than the arithmetic of a 256-unit cell; here a step is a few tight loops over cached data.
 *
 * <p>Why a step of its own beside the training layers: for one stream it is about ten times
 * faster than the same layers' {@code rnnTimeStep}, for each cell (measured by {@code
 * ./mvnw -q -pl core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.charrnn.bench.InferenceStepBenchmark}). {@code InferenceNetworkTest} holds
 * the two to the same probabilities.
 *
 * <p>Immutable and shared by every request on the model; the recurrent state lives in
 * {@link Row}s, which belong to their caller. A row's numbers do not depend on which other rows
 * share its step, nor on how many threads run it (see {@link Kernels}).
 */
public final class InferenceNetwork {

    /** Multiply-adds below which a layer's step runs on one thread: splitting it costs more than it saves. */
    static final long PARALLEL_WORK = 1 << 18;

    private final Cell[] cells;
    private final float[][] outputWeights;
    private final float[] outputBias;
    private final int outputInputs;
    private final int vocabularySize;
    private final int widest;

    private InferenceNetwork(Cell[] cells, float[][] outputWeights, float[] outputBias) {
        this.cells = cells;
        this.outputWeights = outputWeights;
        this.outputBias = outputBias;
        this.vocabularySize = outputBias.length;
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
        return new InferenceNetwork(cells.toArray(Cell[]::new), output.getParam("W").toFloatMatrix(),
                output.getParam("b").dup('c').data().asFloat());
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
            step(single, symbol, 1, Gang.CALLER_ONLY);
        }
    }

    /**
     * Advances the first {@code count} rows by one character each ({@code symbols[r]} for row r);
     * each row's {@link Row#probabilities()} then hold its next-character distribution. The
     * gang's threads (held by the caller) split every layer by units: each unit's arithmetic is
     * the same however the work is split or batched, so results depend on neither.
     */
    public void step(Row[] rows, int[] symbols, int count, Gang gang) {
        float[][] acc = new float[count][];
        float[][] recurrent = new float[count][];
        for (int r = 0; r < count; r++) {
            checkSymbol(symbols[r]);
            acc[r] = rows[r].acc;
            recurrent[r] = rows[r].recurrent;
        }
        float[][] below = null;
        for (int l = 0; l < cells.length; l++) {
            Cell cell = cells[l];
            Gang threads = (long) count * cell.width * (cell.inputs + cell.units) >= PARALLEL_WORK ? gang : Gang.CALLER_ONLY;
            int parts = threads.size();
            float[][] previous = new float[count][];
            float[][] next = new float[count][];
            for (int r = 0; r < count; r++) {
                previous[r] = rows[r].states[l];
                next[r] = rows[r].spare[l];
            }
            float[][] input = below;
            threads.run(part -> {
                int u0 = cell.units * part / parts;
                int u1 = cell.units * (part + 1) / parts;
                cell.step(input, symbols, previous, next, acc, recurrent, 0, count, u0, u1);
            });
            below = next;
        }
        output(rows, below, acc, count);
        for (int r = 0; r < count; r++) {
            rows[r].swap();
        }
    }

    /** Next-character distributions from the top layer's new h. */
    private void output(Row[] rows, float[][] top, float[][] acc, int count) {
        for (int r = 0; r < count; r++) {
            System.arraycopy(outputBias, 0, acc[r], 0, vocabularySize);
        }
        Kernels.accumulate(acc, top, 0, count, outputInputs, outputWeights, 0, vocabularySize);
        for (int r = 0; r < count; r++) {
            Kernels.softmax(acc[r], vocabularySize, rows[r].probabilities);
        }
    }

    private void checkSymbol(int symbol) {
        if (symbol < 0 || symbol >= vocabularySize) {
            throw new IllegalArgumentException("symbol " + symbol + " outside the vocabulary of " + vocabularySize);
        }
    }

    /** One stream's recurrent state, scratch space and latest next-character distribution. */
    public static final class Row {
        private float[][] states;
        private float[][] spare;
        private final float[] acc;
        private final float[] recurrent;
        private final float[] probabilities;

        private Row(InferenceNetwork network) {
            states = new float[network.cells.length][];
            spare = new float[network.cells.length][];
            for (int l = 0; l < states.length; l++) {
                states[l] = new float[network.cells[l].stateWidth()];
                spare[l] = new float[network.cells[l].stateWidth()];
            }
            acc = new float[network.widest];
            recurrent = new float[network.widest];
            probabilities = new float[network.vocabularySize];
        }

        private Row(Row other) {
            states = new float[other.states.length][];
            spare = new float[other.states.length][];
            for (int l = 0; l < states.length; l++) {
                states[l] = other.states[l].clone();
                spare[l] = new float[states[l].length];
            }
            acc = new float[other.acc.length];
            recurrent = new float[other.recurrent.length];
            probabilities = other.probabilities.clone();
        }

        /** The state just written becomes the current one. */
        private void swap() {
            float[][] written = spare;
            spare = states;
            states = written;
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

    /** Which multiply-add kernel batched generation uses (see {@link VectorKernels}). */
    public static String generationKernel() {
        return Kernels.description();
    }
}
