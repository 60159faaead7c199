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
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
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
    protected final HostBuffers host = new HostBuffers();

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
     * One step forward. {@code gates} [batch, gates*n] holds the input projection plus bias and is
     * overwritten with whatever activations the backward step needs; writes the new state into
     * {@code state} [batch, stateWidth*n] given the previous one.
     */
    protected abstract void forwardStep(INDArray gates, INDArray previous, INDArray recurrentWeights, INDArray state,
                                        INDArray cache);

    /**
     * One step backward. {@code dState} is dL/d(state_t) (may be overwritten). Writes dL/d(input
     * projection) into {@code dInputProjection} and, for a cell with {@link #separateRecurrentGradient()},
     * dL/d(h' RW) into {@code dRecurrentProduct}; returns dL/d(state_{t-1}). The gradient of RW itself
     * is one product over all steps afterwards, not one per step.
     */
    protected abstract INDArray backwardStep(INDArray dState, INDArray previous, INDArray state, INDArray gates,
                                             INDArray cache, INDArray recurrentWeights, INDArray dInputProjection,
                                             INDArray dRecurrentProduct);

    /** True when dL/d(h' RW) differs from dL/d(input projection) (the GRU's reset gate sits between them). */
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

        INDArray input2d = ws.createUninitialized(work, dataType, new long[] {steps, batch, nIn}, 'c');
        input2d.assign(x.permute(2, 0, 1));
        input2d = input2d.reshape('c', steps * batch, nIn);
        INDArray w = getParamWithNoise(RecurrentParams.WEIGHTS, training, ws);
        INDArray rw = getParamWithNoise(RecurrentParams.RECURRENT_WEIGHTS, training, ws);
        INDArray b = getParamWithNoise(RecurrentParams.BIAS, training, ws);
        INDArray gates = ws.createUninitialized(work, dataType, new long[] {steps * batch, gates() * n}, 'c');
        Blas.gemm(input2d, false, w, false, gates, 1.0, 0.0);
        gates.addiRowVector(b);

        INDArray states = ws.createUninitialized(work, dataType, new long[] {steps * batch, width}, 'c');
        INDArray cache = cacheWidth() == 0 ? null
                : ws.createUninitialized(work, dataType, new long[] {steps * batch, cacheWidth() * n}, 'c');
        INDArray start = h0 != null ? h0.castTo(dataType) : ws.create(work, dataType, new long[] {batch, width}, 'c');
        INDArray previous = start;
        for (long t = 0; t < steps; t++) {
            INDArray state = rows(states, t, batch);
            forwardStep(rows(gates, t, batch), previous, rw, state, cache == null ? null : rows(cache, t, batch));
            if (maskArray != null) {
                // a masked step keeps the previous state: s = s' + m * (s - s')
                state.subi(previous).muliColumnVector(maskColumn(t)).addi(previous);
            }
            previous = state;
        }

        INDArray output = ws.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[] {batch, n, steps}, 'f');
        output.assign(states.get(all(), interval(0, n)).reshape('c', steps, batch, n).permute(1, 2, 0));
        if (maskArray != null) {
            Nd4j.getExecutioner().exec(new BroadcastMulOp(output, maskArray.castTo(dataType), output, 0, 2));
        }
        Pass pass = new Pass(input2d, gates, states, cache, start, permuteIfNWC(output), batch, steps);
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

        INDArray eps2d = ws.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {steps, batch, n}, 'c');
        eps2d.assign(permuteIfNWC(epsilon).permute(2, 0, 1));
        eps2d = eps2d.reshape('c', steps * batch, n);
        INDArray dProjection = ws.create(ArrayType.BP_WORKING_MEM, dataType, new long[] {steps * batch, gates() * n}, 'c');
        INDArray dRecurrent = separateRecurrentGradient()
                ? ws.create(ArrayType.BP_WORKING_MEM, dataType, new long[] {steps * batch, gates() * n}, 'c')
                : dProjection;

        long end = backLength > 0 ? Math.max(0, steps - backLength) : 0;
        INDArray dNext = ws.create(ArrayType.BP_WORKING_MEM, dataType, new long[] {batch, width}, 'c');
        double[] hiddenNorms = recordHiddenGradients ? new double[(int) steps] : null;
        for (long t = steps - 1; t >= end; t--) {
            INDArray dState = dNext;
            INDArray dOutput = rows(eps2d, t, batch);
            INDArray mask = maskArray == null ? null : maskColumn(t);
            if (mask != null) {
                dOutput.muliColumnVector(mask); // the output at a masked step is zero
            }
            dState.get(all(), interval(0, n)).addi(dOutput);
            INDArray carried = mask == null ? null : dState.mulColumnVector(mask.rsub(1.0));
            if (mask != null) {
                dState.muliColumnVector(mask);
            }
            if (hiddenNorms != null) {
                hiddenNorms[(int) t] = dState.get(interval(0, 1), interval(0, n)).norm2Number().doubleValue();
            }
            INDArray previous = t > 0 ? rows(pass.states(), t - 1, batch) : pass.start();
            dNext = backwardStep(dState, previous, rows(pass.states(), t, batch), rows(pass.gates(), t, batch),
                    pass.cache() == null ? null : rows(pass.cache(), t, batch), rw, rows(dProjection, t, batch),
                    rows(dRecurrent, t, batch));
            if (carried != null) {
                dNext.addi(carried);
            }
        }

        hiddenGradientNorms = hiddenNorms;
        recurrentWeightGradient(pass, dRecurrent, end, dRW);
        Blas.gemm(pass.input2d(), true, dProjection, false, dW, 1.0, 0.0);
        dB.assign(dProjection.sum(0));
        INDArray epsOut2d = ws.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                new long[] {steps * batch, pass.input2d().size(1)}, 'c');
        Blas.gemm(dProjection, false, w, true, epsOut2d, 1.0, 0.0);
        INDArray epsOut = ws.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {batch, pass.input2d().size(1), steps}, 'f');
        epsOut.assign(epsOut2d.reshape('c', steps, batch, pass.input2d().size(1)).permute(1, 2, 0));

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

    /** A new [rows, columns] array of this layer's type holding host values. */
    protected INDArray fromHost(double[] values, int rows, int columns) {
        INDArray array = Nd4j.createUninitialized(dataType, rows, columns);
        host.write(values, array);
        return array;
    }

    /** Columns {@code [index*n, (index+1)*n)}: one gate's block. */
    protected static INDArray block(INDArray array, int index, long n) {
        return array.get(all(), interval(index * n, (index + 1) * n));
    }

    private INDArray maskColumn(long t) {
        return maskArray.getColumn(t, true).castTo(dataType);
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
