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

import dev.charrnn.model.Gang;

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
        extends BaseRecurrentLayer<C> implements Recurrence.Cell {

    public static final String STATE_KEY = "h";

    /** Host copies of the mask and bias of a pass (see {@link HostBuffers}). */
    private final HostBuffers host = new HostBuffers();

    /** The step loops, with their per-thread host buffers. */
    private final Recurrence recurrence = new Recurrence(this);

    /** The input products when the input is one-hot characters. */
    private final OneHotInput oneHot = new OneHotInput();

    /** False while the network discards dL/dinput of this layer (the first layer, in training). */
    private boolean inputGradientNeeded = true;

    protected FusedRecurrentLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Gate blocks per unit: columns of W, RW and b are {@code gates() * n}. */
    @Override
    public abstract int gates();

    /** Extra per-step values the backward step needs, in units of n columns. */
    @Override
    public abstract int cacheWidth();

    /** State width in units of n columns; the first n columns are the output h. */
    @Override
    public int stateWidth() {
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
     * Whether backprop computes dL/dinput (true until told otherwise). A network that drops the
     * input gradient of its first layer, as DL4J's fit does, saves that product: backprop then
     * returns null for it.
     */
    public void inputGradientNeeded(boolean needed) {
        inputGradientNeeded = needed;
    }

    /**
     * One step forward in double, in plain Java, for a block of rows (row-major, {@code batch}
     * rows, each gate block n wide). Float passes without a mask take {@link #floatCell()} instead. {@code gates}
     * [batch, gates*n] holds x W + b, plus h' RW unless the cell has
     * {@link #separateRecurrentGradient()}, in which case h' RW is in {@code recurrent}; it is
     * overwritten with whatever activations the backward step needs. Writes the new state
     * [batch, stateWidth*n] given the previous one, and the cache [batch, cacheWidth*n].
     */
    @Override
    public abstract void forwardStep(int batch, int n, double[] gates, double[] recurrent,
                                     double[] previous, double[] state, double[] cache);

    /**
     * One step backward in double, in plain Java. {@code dState} is dL/d(state_t).
     * Writes dL/d(x W + b) into {@code dProjection} and, for a cell with
     * {@link #separateRecurrentGradient()}, dL/d(h' RW) into {@code dRecurrent}; adds into
     * {@code dPrevious} (zeroed) the part of dL/d(state_{t-1}) that does not flow through h' RW.
     */
    @Override
    public abstract void backwardStep(int batch, int n, double[] dState, double[] previous,
                                      double[] gates, double[] cache, double[] dProjection, double[] dRecurrent,
                                      double[] dPrevious);

    /** True when h' RW enters the cell apart from x W + b (the GRU's reset gate scales part of it). */
    @Override
    public boolean separateRecurrentGradient() {
        return false;
    }

    /** What the forward pass computed, all time-major 2D; {@code symbols}: the input's characters, or null. */
    private record Pass(INDArray input2d, int[] symbols, INDArray gates, INDArray states, INDArray cache, INDArray start,
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

        INDArray input2d = TimeMajor.rows(x, ws, work, dataType);
        INDArray w = getParamWithNoise(RecurrentParams.WEIGHTS, training, ws);
        INDArray rw = getParamWithNoise(RecurrentParams.RECURRENT_WEIGHTS, training, ws);
        INDArray bias = getParamWithNoise(RecurrentParams.BIAS, training, ws);
        INDArray gates = ws.createUninitialized(work, dataType, new long[] {steps * batch, gates() * n}, 'c');
        INDArray states = ws.createUninitialized(work, dataType, new long[] {steps * batch, width}, 'c');
        INDArray cache = cacheWidth() == 0 ? null
                : ws.createUninitialized(work, dataType, new long[] {steps * batch, cacheWidth() * n}, 'c');
        INDArray start = h0 != null ? h0.castTo(dataType) : ws.create(work, dataType, new long[] {batch, width}, 'c');
        INDArray recurrent = separateRecurrentGradient()
                ? ws.createUninitialized(work, dataType, new long[] {batch, gates() * n}, 'c') : null;
        INDArray output2d = ws.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[] {steps * batch, n}, 'c');
        Recurrence.Buffers buffers = new Recurrence.Buffers(Blas.Block.of(gates), Blas.Block.of(states),
                cache == null ? null : Blas.Block.of(cache), Blas.Block.of(start), Blas.Block.of(rw),
                recurrent == null ? null : Blas.Block.of(recurrent), Blas.Block.of(output2d));
        Recurrence.Shape shape = shape(batch, steps);
        double[] biasValues = host.read(bias, 1).clone();
        Blas.Block weights = Blas.Block.of(w);
        int[] symbols = weights.layout == null ? null : oneHot.symbols(input2d);
        Gang gang = StepThreads.acquire();
        try {
            if (symbols != null) {
                oneHot.project(gang, symbols, weights, buffers.gates());
            } else {
                Blas.gemm(gang, Blas.Block.of(input2d), false, weights, false, buffers.gates(), 1.0, 0.0);
            }
            recurrence.forward(gang, shape, buffers, biasValues, training || forBackprop);
        } finally {
            gang.release();
        }
        Pass pass = new Pass(input2d, symbols, gates, states, cache, start, permuteIfNWC(TimeMajor.sequence(output2d, batch, steps)),
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

        INDArray eps2d = TimeMajor.rows(permuteIfNWC(epsilon), ws, ArrayType.BP_WORKING_MEM, dataType);
        int end = backLength > 0 ? (int) Math.max(0, steps - backLength) : 0;
        INDArray dProjection = stepGradients(ws, batch, steps, end);
        INDArray dRecurrent = separateRecurrentGradient() ? stepGradients(ws, batch, steps, end) : dProjection;
        INDArray dPrevious = ws.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {batch, width}, 'c');
        INDArray epsOut2d = !inputGradientNeeded ? null : ws.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {steps * batch, pass.input2d().size(1)}, 'c');

        Recurrence.Buffers buffers = new Recurrence.Buffers(Blas.Block.of(pass.gates()), Blas.Block.of(pass.states()),
                pass.cache() == null ? null : Blas.Block.of(pass.cache()), Blas.Block.of(pass.start()),
                Blas.Block.of(rw), null, null);
        Recurrence.Gradients gradients = new Recurrence.Gradients(Blas.Block.of(eps2d), Blas.Block.of(dProjection),
                Blas.Block.of(dRecurrent), Blas.Block.of(dPrevious));
        double[] hiddenNorms = recordHiddenGradients ? new double[(int) steps] : null;
        Gang gang = StepThreads.acquire();
        try {
            double[] dBias = recurrence.backward(gang, shape(batch, steps), end, buffers, gradients, hiddenNorms);
            dB.assign(fromHost(dBias, 1, (int) (gates() * n)).reshape(dB.shape()));
            recurrentWeightGradient(gang, pass, dRecurrent, end, dRW);
            Blas.Block projectionGradient = Blas.Block.of(dProjection);
            Blas.Block weightGradient = Blas.Block.of(dW);
            if (pass.symbols() != null && weightGradient.layout != null) {
                OneHotInput.weightGradient(gang, pass.symbols(), projectionGradient, weightGradient);
            } else {
                Blas.gemm(gang, Blas.Block.of(pass.input2d()), true, projectionGradient, false, weightGradient, 1.0, 0.0);
            }
            if (epsOut2d != null) {
                Blas.gemm(gang, projectionGradient, false, Blas.Block.of(w), true, Blas.Block.of(epsOut2d), 1.0, 0.0);
            }
        } finally {
            gang.release();
        }
        hiddenGradientNorms = hiddenNorms;

        weightNoiseParams.clear();
        Gradient gradient = new DefaultGradient(gradientsFlattened);
        gradient.gradientForVariable().put(RecurrentParams.WEIGHTS, dW);
        gradient.gradientForVariable().put(RecurrentParams.RECURRENT_WEIGHTS, dRW);
        gradient.gradientForVariable().put(RecurrentParams.BIAS, dB);
        if (epsOut2d == null) {
            return new Pair<>(gradient, null);
        }
        return new Pair<>(gradient, permuteIfNWC(backpropDropOutIfPresent(TimeMajor.sequence(epsOut2d, batch, steps))));
    }

    /**
     * [steps*batch, gates*n] per-step gradients: the backward steps write the rows of steps >= end,
     * the rows before stay zero (products over all rows read them). Zeroing all of it on the
     * calling thread was 1.25% of a vanilla RNN's training step.
     */
    private INDArray stepGradients(LayerWorkspaceMgr ws, long batch, long steps, int end) {
        INDArray rows = ws.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                new long[] {steps * batch, gates() * layerConf().getNOut()}, 'c');
        if (end > 0) {
            rows.get(interval(0, end * batch), all()).assign(0);
        }
        return rows;
    }

    /**
     * dL/dRW = sum over the steps t >= end of h_{t-1}^T dL/d(h_{t-1} RW): two products over all
     * steps (the first step's previous state is the start state), not one small product per step.
     */
    private void recurrentWeightGradient(Gang gang, Pass pass, INDArray dRecurrent, int end, INDArray dRW) {
        int batch = (int) pass.batch();
        int steps = (int) pass.steps();
        int n = (int) layerConf().getNOut();
        Blas.Block d = Blas.Block.of(dRecurrent);
        Blas.Block gradient = Blas.Block.of(dRW);
        if (end == 0) {
            Blas.gemm(gang, Blas.Block.of(pass.start()).columns(0, n), true, d.rows(0, batch), false, gradient, 1.0, 1.0);
        }
        int first = Math.max(end, 1);
        if (first < steps) {
            Blas.Block previous = Blas.Block.of(pass.states()).rows((first - 1) * batch, (steps - first) * batch).columns(0, n);
            Blas.gemm(gang, previous, true, d.rows(first * batch, (steps - first) * batch), false, gradient, 1.0, 1.0);
        }
    }

    /** The pass's sizes, with its mask as host values. */
    private Recurrence.Shape shape(long batch, long steps) {
        double[] mask = maskArray == null ? null : host.read(maskArray.castTo(dataType), 0).clone();
        return new Recurrence.Shape((int) batch, (int) steps, (int) layerConf().getNOut(), mask);
    }

    /** A new [rows, columns] array of this layer's type holding host values. */
    private INDArray fromHost(double[] values, int rows, int columns) {
        INDArray array = Nd4j.createUninitialized(dataType, rows, columns);
        host.write(values, array);
        return array;
    }

    private static INDArray detached(INDArray array) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return array.dup('c');
        }
    }
}
