package dev.charrnn.model.layers;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.base.Preconditions;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A recurrent layer computed the fast way: the input projection of every time step is one
 * matrix product ({@code X W + b} over [T*batch, nIn]), and only the recurrence runs step by
 * step. Subclasses define one cell step forward and backward; this class handles sequences,
 * stored state (sampling and truncated BPTT), masks, dropout and DL4J's gradient plumbing.
 *
 * <p>Time-major 2D layout: row {@code t*batch + b} holds step t of sequence b. A cell's state is
 * {@code stateWidth() * n} wide and starts with the n-unit output h (an LSTM appends its memory
 * cell). The state kept between calls is the last state row block, under {@link #STATE_KEY}.
 *
 * <p>DL4J computes tBPTT gradients with {@code backpropGradient} right after a forward pass from
 * the stored state; the backward pass here restarts from that same state (recorded at the forward
 * pass), so the gradient is the gradient of the loss that was reported. DL4J's own LSTM restarts
 * from zeros instead.
 */
public abstract class FusedRecurrentLayer<C extends FusedRecurrentLayerConf>
        extends BaseRecurrentLayer<C> {

    public static final String STATE_KEY = "h";

    /** Host copies for the cells' per-step elementwise math (see {@link HostBuffers}). */
    private final HostBuffers host = new HostBuffers();

    protected FusedRecurrentLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Gate blocks per unit: columns of W, RW and b are {@code gates() * n}. */
    protected abstract int gates();

    /** Extra per-step values the backward step needs, in units of n columns. */
    protected abstract int cacheWidth();

    /** State width in units of n columns; the first n columns are the output h. */
    protected int stateWidth() {
        return 1;
    }

    /** Initial state of the latest training forward pass (null: zeros), where backprop restarts. */
    private INDArray trainingStart;

    /**
     * The latest training forward pass, kept for the backward pass that follows it so the forward
     * is not computed twice. Its arrays live in the activations workspace, which DL4J keeps open from
     * the forward pass through backpropagation; {@link #cachedFor} guards against any other use.
     */
    private Pass cached;
    private INDArray cachedFor;

    /** When set, backprop records ||dL/dh_t|| of the first sequence for every step (gradient flow). */
    private boolean recordHiddenGradients;
    private double[] hiddenGradientNorms;

    /** Records ||dL/dh_t|| (recurrence included) in the next backward pass; see {@link #hiddenGradientNorms()}. */
    public void recordHiddenGradients(boolean record) {
        recordHiddenGradients = record;
        hiddenGradientNorms = null;
    }

    /** ||dL/dh_t|| for t = 1..T of the first sequence in the last recorded backward pass, or null. */
    public double[] hiddenGradientNorms() {
        return hiddenGradientNorms;
    }

    /**
     * One step forward, in plain Java on one time step's rows (row-major, {@code batch} rows).
     * {@code gates} [batch, gates*n] holds x W + b, plus h' RW unless the cell has
     * {@link #separateRecurrentGradient()}, in which case h' RW is in {@code recurrent}; it is
     * overwritten with whatever activations the backward step needs. Writes the new state
     * [batch, stateWidth*n] given the previous one, and the cache [batch, cacheWidth*n].
     */
    protected abstract void forwardStep(int batch, int n, double[] gates, double[] recurrent, double[] previous,
                                        double[] state, double[] cache);

    /**
     * One step backward, in plain Java. {@code dState} is dL/d(state_t). Writes dL/d(x W + b) into
     * {@code dProjection} and, for a cell with {@link #separateRecurrentGradient()}, dL/d(h' RW) into
     * {@code dRecurrent}; writes into {@code dPrevious} the part of dL/d(state_{t-1}) that does not
     * flow through h' RW (the caller adds that one with a matrix product).
     */
    protected abstract void backwardStep(int batch, int n, double[] dState, double[] previous, double[] gates,
                                         double[] cache, double[] dProjection, double[] dRecurrent,
                                         double[] dPrevious);

    /** True when h' RW enters the cell apart from x W + b (the GRU's reset gate scales part of it). */
    protected boolean separateRecurrentGradient() {
        return false;
    }

    /** What the forward pass computed, all time-major 2D. */
    private record Pass(INDArray input2d, INDArray gates, INDArray states, INDArray cache, INDArray start,
                        INDArray output, long batch, long steps) {

        INDArray lastState() {
            return states.get(interval((steps - 1) * batch, steps * batch), all());
        }
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return forward(null, training, false, workspaceMgr).output();
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(stateMap.get(STATE_KEY), false, false, workspaceMgr);
        stateMap.put(STATE_KEY, detached(pass.lastState()));
        return pass.output();
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(tBpttStateMap.get(STATE_KEY), training, false, workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE_KEY, detached(pass.lastState()));
        }
        return pass.output();
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        return backprop(epsilon, -1, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
                                                          LayerWorkspaceMgr workspaceMgr) {
        return backprop(epsilon, tbpttBackLength, workspaceMgr);
    }

    @Override
    public void rnnClearPreviousState() {
        super.rnnClearPreviousState();
        trainingStart = null;
        cached = null;
        cachedFor = null;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    private Pass forward(INDArray h0, boolean training, boolean forBackprop, LayerWorkspaceMgr ws) {
        if (training) {
            trainingStart = h0;
        }
        assertInputSet(false);
        Preconditions.checkState(input.rank() == 3, "3D input [batch, nIn, time] expected, got rank %s", input.rank());
        applyDropOutIfNecessary(training, ws);
        INDArray x = permuteIfNWC(input.castTo(dataType));
        long batch = x.size(0);
        long nIn = x.size(1);
        long steps = x.size(2);
        long n = layerConf().getNOut();
        long width = stateWidth() * n;
        Preconditions.checkState(h0 == null || h0.size(0) == batch, "Stored state has batch %s but the input has %s; "
                + "call rnnClearPreviousState() between batches of different sizes", h0 == null ? 0 : h0.size(0), batch);
        boolean keep = training && !forBackprop;
        ArrayType work = keep ? ArrayType.ACTIVATIONS : forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;

        INDArray input2d = timeMajor(x, ws, work);
        INDArray w = getParamWithNoise(RecurrentParams.WEIGHTS, training, ws);
        INDArray rw = getParamWithNoise(RecurrentParams.RECURRENT_WEIGHTS, training, ws);
        INDArray bias = getParamWithNoise(RecurrentParams.BIAS, training, ws);
        INDArray gates = ws.createUninitialized(work, dataType, new long[] {steps * batch, gates() * n}, 'c');
        Blas.gemm(input2d, false, w, false, gates, 1.0, 0.0);

        INDArray states = ws.createUninitialized(work, dataType, new long[] {steps * batch, width}, 'c');
        INDArray cache = cacheWidth() == 0 ? null
                : ws.createUninitialized(work, dataType, new long[] {steps * batch, cacheWidth() * n}, 'c');
        INDArray start = h0 != null ? h0.castTo(dataType) : ws.create(work, dataType, new long[] {batch, width}, 'c');
        INDArray recurrent = separateRecurrentGradient()
                ? ws.createUninitialized(work, dataType, new long[] {batch, gates() * n}, 'c') : null;
        INDArray output2d = ws.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[] {steps * batch, n}, 'c');
        recurrence(Steps.of(this, batch, steps), Blas.Block.of(gates), Blas.Block.of(states),
                cache == null ? null : Blas.Block.of(cache), Blas.Block.of(start), Blas.Block.of(rw),
                recurrent == null ? null : Blas.Block.of(recurrent), bias, Blas.Block.of(output2d));
        Pass pass = new Pass(input2d, gates, states, cache, start, permuteIfNWC(fromTimeMajor(output2d, batch, steps)),
                batch, steps);
        cached = keep ? pass : null;
        cachedFor = keep ? input : null;
        return pass;
    }

    private Pair<Gradient, INDArray> backprop(INDArray epsilon, int backLength, LayerWorkspaceMgr ws) {
        assertInputSet(true);
        Pass pass = cached != null && cachedFor == input ? cached : forward(trainingStart, true, true, ws);
        cached = null;
        cachedFor = null;
        long batch = pass.batch();
        long steps = pass.steps();
        long n = layerConf().getNOut();
        long width = stateWidth() * n;
        INDArray w = getParamWithNoise(RecurrentParams.WEIGHTS, true, ws);
        INDArray rw = getParamWithNoise(RecurrentParams.RECURRENT_WEIGHTS, true, ws);
        gradientsFlattened.assign(0);
        INDArray dW = gradientViews.get(RecurrentParams.WEIGHTS);
        INDArray dRW = gradientViews.get(RecurrentParams.RECURRENT_WEIGHTS);
        INDArray dB = gradientViews.get(RecurrentParams.BIAS);

        INDArray eps2d = timeMajor(permuteIfNWC(epsilon), ws, ArrayType.BP_WORKING_MEM);
        INDArray dProjection = ws.create(ArrayType.BP_WORKING_MEM, dataType, new long[] {steps * batch, gates() * n}, 'c');
        INDArray dRecurrent = separateRecurrentGradient()
                ? ws.create(ArrayType.BP_WORKING_MEM, dataType, new long[] {steps * batch, gates() * n}, 'c')
                : dProjection;
        INDArray dPrevious = ws.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {batch, width}, 'c');

        long end = backLength > 0 ? Math.max(0, steps - backLength) : 0;
        double[] dBias = backRecurrence(Steps.of(this, batch, steps), (int) end, pass, Blas.Block.of(eps2d),
                Blas.Block.of(dProjection), Blas.Block.of(dRecurrent), Blas.Block.of(dPrevious), Blas.Block.of(rw));
        recurrentWeightGradient(pass, dRecurrent, end, dRW);
        Blas.gemm(pass.input2d(), true, dProjection, false, dW, 1.0, 0.0);
        dB.assign(fromHost(dBias, 1, (int) (gates() * n)).reshape(dB.shape()));
        INDArray epsOut2d = ws.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {steps * batch, pass.input2d().size(1)}, 'c');
        Blas.gemm(dProjection, false, w, true, epsOut2d, 1.0, 0.0);
        INDArray epsOut = fromTimeMajor(epsOut2d, batch, steps);

        weightNoiseParams.clear();
        Gradient gradient = new DefaultGradient(gradientsFlattened);
        gradient.gradientForVariable().put(RecurrentParams.WEIGHTS, dW);
        gradient.gradientForVariable().put(RecurrentParams.RECURRENT_WEIGHTS, dRW);
        gradient.gradientForVariable().put(RecurrentParams.BIAS, dB);
        return new Pair<>(gradient, permuteIfNWC(backpropDropOutIfPresent(epsOut)));
    }

    /**
     * dL/dRW = sum over the steps t >= end of h_{t-1}^T dL/d(h_{t-1} RW): two products over all
     * steps (the first step's previous state is the start state), not one small product per step.
     */
    private void recurrentWeightGradient(Pass pass, INDArray dRecurrent, long end, INDArray dRW) {
        long batch = pass.batch();
        long steps = pass.steps();
        long n = layerConf().getNOut();
        if (end == 0) {
            Blas.gemm(pass.start().get(all(), interval(0, n)), true, rows(dRecurrent, 0, batch), false, dRW, 1.0, 1.0);
        }
        long first = Math.max(end, 1);
        if (first < steps) {
            INDArray previous = pass.states().get(interval((first - 1) * batch, (steps - 1) * batch), interval(0, n));
            INDArray dProducts = dRecurrent.get(interval(first * batch, steps * batch), all());
            Blas.gemm(previous, true, dProducts, false, dRW, 1.0, 1.0);
        }
    }

    /**
     * [batch, columns, time] as time-major rows [time*batch, columns]: a view when the array is laid
     * out time-major already (the service's one-hot windows, these layers' outputs and input
     * gradients), else a copy in {@code type}'s workspace.
     */
    private INDArray timeMajor(INDArray sequence, LayerWorkspaceMgr ws, ArrayType type) {
        INDArray permuted = sequence.permute(2, 0, 1);
        long steps = permuted.size(0);
        long batch = permuted.size(1);
        long columns = permuted.size(2);
        long[] stride = permuted.stride();
        if (stride[2] == 1 && stride[1] == columns && (steps == 1 || stride[0] == batch * columns)) {
            return permuted.reshape('c', steps * batch, columns);
        }
        INDArray copy = ws.createUninitialized(type, dataType, new long[] {steps, batch, columns}, 'c');
        copy.assign(permuted);
        return copy.reshape('c', steps * batch, columns);
    }

    /** Time-major rows [time*batch, columns] viewed as DL4J's [batch, columns, time], without a copy. */
    private static INDArray fromTimeMajor(INDArray rows, long batch, long steps) {
        return rows.reshape('c', steps, batch, rows.size(1)).permute(1, 2, 0);
    }

    /** Host slots of the step loops (see {@link HostBuffers}). */
    private static final int MASK = 0, BIAS = 1, STATE_A = 2, STATE_B = 3, GATES = 4, RECURRENT = 5, CACHE = 6,
            D_STATE = 7, D_OUTPUT = 8, PREVIOUS = 9, D_PROJECTION = 10, D_RECURRENT = 11, D_PREVIOUS = 12,
            CARRIED = 13, D_BIAS = 14, OUTPUT = 15;

    /** Sizes of one pass, and its mask as host values [batch, steps] (null: no mask). */
    private record Steps(int batch, int steps, int n, int gateWidth, int width, int cacheWidth, double[] mask) {

        static Steps of(FusedRecurrentLayer<?> layer, long batch, long steps) {
            int n = (int) layer.layerConf().getNOut();
            double[] mask = layer.maskArray == null ? null : layer.host.read(layer.maskArray.castTo(layer.dataType), MASK);
            return new Steps((int) batch, (int) steps, n, layer.gates() * n, layer.stateWidth() * n,
                    layer.cacheWidth() * n, mask);
        }

        /** The mask of row r at step t (1 without a mask). */
        double mask(int r, int t) {
            return mask == null ? 1.0 : mask[r * steps + t];
        }
    }

    /**
     * The forward recurrence: per step one matrix product (h' RW, into the gates or, for a cell
     * with a separate recurrent term, into {@code recurrent}) and the cell's math on host copies.
     */
    private void recurrence(Steps s, Blas.Block gates, Blas.Block states, Blas.Block cache, Blas.Block start,
                            Blas.Block rw, Blas.Block recurrent, INDArray bias, Blas.Block output) {
        int b = s.batch();
        double[] biasValues = host.read(bias, BIAS);
        double[] previous = host.read(start, STATE_A);
        for (int t = 0; t < s.steps(); t++) {
            Blas.Block hPrevious = (t == 0 ? start : states.rows((t - 1) * b, b)).columns(0, s.n());
            Blas.Block stepGates = gates.rows(t * b, b);
            double[] recurrentValues = null;
            if (recurrent != null) {
                Blas.gemm(hPrevious, false, rw, false, recurrent, 1.0, 0.0);
                recurrentValues = host.read(recurrent, RECURRENT);
            } else {
                Blas.gemm(hPrevious, false, rw, false, stepGates, 1.0, 1.0);
            }
            double[] a = host.read(stepGates, GATES);
            for (int r = 0; r < b; r++) {
                int row = r * s.gateWidth();
                for (int k = 0; k < s.gateWidth(); k++) {
                    a[row + k] += biasValues[k];
                }
            }
            double[] state = host.scratch(t % 2 == 0 ? STATE_B : STATE_A, (long) b * s.width());
            double[] cacheValues = cache == null ? null : host.scratch(CACHE, (long) b * s.cacheWidth());
            forwardStep(b, s.n(), a, recurrentValues, previous, state, cacheValues);
            if (s.mask() != null) {
                keepMaskedRows(s, t, previous, state);
            }
            host.write(a, stepGates);
            host.write(state, states.rows(t * b, b));
            if (cache != null) {
                host.write(cacheValues, cache.rows(t * b, b));
            }
            host.write(outputOf(s, t, state), output.rows(t * b, b));
            previous = state;
        }
    }

    /** The step's output rows: h, zero where masked. */
    private double[] outputOf(Steps s, int t, double[] state) {
        if (s.width() == s.n() && s.mask() == null) {
            return state;
        }
        double[] out = host.scratch(OUTPUT, (long) s.batch() * s.n());
        for (int r = 0; r < s.batch(); r++) {
            double m = s.mask(r, t);
            for (int j = 0; j < s.n(); j++) {
                out[r * s.n() + j] = m * state[r * s.width() + j];
            }
        }
        return out;
    }

    /** A masked step keeps the previous state: s = s' + m * (s - s'). */
    private static void keepMaskedRows(Steps s, int t, double[] previous, double[] state) {
        for (int r = 0; r < s.batch(); r++) {
            double m = s.mask(r, t);
            if (m != 1.0) {
                for (int k = r * s.width(); k < (r + 1) * s.width(); k++) {
                    state[k] = previous[k] + m * (state[k] - previous[k]);
                }
            }
        }
    }

    /**
     * The backward recurrence over steps {@code steps-1 .. end}: the cell's backward math on host
     * copies, and per step one matrix product for the gradient through h' RW. Fills dProjection
     * (and dRecurrent) and returns dL/db.
     */
    private double[] backRecurrence(Steps s, int end, Pass pass, Blas.Block eps, Blas.Block dProjection,
                                    Blas.Block dRecurrent, Blas.Block dPrevious, Blas.Block rw) {
        int b = s.batch();
        int n = s.n();
        int width = s.width();
        Blas.Block states = Blas.Block.of(pass.states());
        Blas.Block gates = Blas.Block.of(pass.gates());
        Blas.Block cache = pass.cache() == null ? null : Blas.Block.of(pass.cache());
        Blas.Block start = Blas.Block.of(pass.start());
        double[] dState = host.scratch(D_STATE, (long) b * width);
        java.util.Arrays.fill(dState, 0, b * width, 0.0);
        double[] dBias = host.scratch(D_BIAS, s.gateWidth());
        java.util.Arrays.fill(dBias, 0, s.gateWidth(), 0.0);
        double[] hiddenNorms = recordHiddenGradients ? new double[s.steps()] : null;
        for (int t = s.steps() - 1; t >= end; t--) {
            double[] dOutput = host.read(eps.rows(t * b, b), D_OUTPUT);
            double[] carried = s.mask() == null ? null : host.scratch(CARRIED, (long) b * width);
            for (int r = 0; r < b; r++) {
                double m = s.mask(r, t);
                for (int j = 0; j < n; j++) {
                    dState[r * width + j] += m * dOutput[r * n + j]; // the output at a masked step is zero
                }
                if (carried != null) {
                    for (int k = r * width; k < (r + 1) * width; k++) {
                        carried[k] = dState[k] * (1 - m);
                        dState[k] *= m;
                    }
                }
            }
            if (hiddenNorms != null) {
                hiddenNorms[t] = norm(dState, n);
            }
            double[] previous = host.read(t > 0 ? states.rows((t - 1) * b, b) : start, PREVIOUS);
            double[] a = host.read(gates.rows(t * b, b), GATES);
            double[] cacheValues = cache == null ? null : host.read(cache.rows(t * b, b), CACHE);
            double[] dProjectionValues = host.scratch(D_PROJECTION, (long) b * s.gateWidth());
            double[] dRecurrentValues = separateRecurrentGradient() ? host.scratch(D_RECURRENT, (long) b * s.gateWidth()) : null;
            double[] dPreviousValues = host.scratch(D_PREVIOUS, (long) b * width);
            java.util.Arrays.fill(dPreviousValues, 0, b * width, 0.0);
            backwardStep(b, n, dState, previous, a, cacheValues, dProjectionValues, dRecurrentValues, dPreviousValues);
            for (int r = 0; r < b; r++) {
                int row = r * s.gateWidth();
                for (int k = 0; k < s.gateWidth(); k++) {
                    dBias[k] += dProjectionValues[row + k];
                }
            }
            host.write(dProjectionValues, dProjection.rows(t * b, b));
            if (dRecurrentValues != null) {
                host.write(dRecurrentValues, dRecurrent.rows(t * b, b));
            }
            if (t > end) {
                host.write(dPreviousValues, dPrevious);
                Blas.gemm(dRecurrent.rows(t * b, b), false, rw, true, dPrevious.columns(0, n), 1.0, 1.0);
                dState = host.read(dPrevious, D_STATE);
                if (carried != null) {
                    for (int k = 0; k < b * width; k++) {
                        dState[k] += carried[k];
                    }
                }
            }
        }
        hiddenGradientNorms = hiddenNorms;
        return dBias;
    }

    /** ||dL/dh|| of the first sequence: the first n values. */
    private static double norm(double[] values, int n) {
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += values[j] * values[j];
        }
        return Math.sqrt(sum);
    }

    /** A new [rows, columns] array of this layer's type holding host values. */
    private INDArray fromHost(double[] values, int rows, int columns) {
        INDArray array = Nd4j.createUninitialized(dataType, rows, columns);
        host.write(values, array);
        return array;
    }

    private static INDArray rows(INDArray timeMajor, long t, long batch) {
        return timeMajor.get(interval(t * batch, (t + 1) * batch), all());
    }

    private static INDArray detached(INDArray array) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return array.dup('c');
        }
    }
}
