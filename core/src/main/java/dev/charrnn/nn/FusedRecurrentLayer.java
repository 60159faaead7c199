package dev.charrnn.nn;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.List;

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

import dev.charrnn.nn.cpu.Gang;

/**
 * A recurrent layer computed the fast way: the input projection of every time step is one
 * matrix product ({@code X W + b} over [T*batch, nIn]), and only the recurrence runs step by
 * step. Subclasses define the cell ({@link RecurrentCell}: its sizes and its step math on each
 * path); this class handles sequences, stored state (sampling and truncated BPTT), masks, dropout
 * and DL4J's gradient plumbing, and hands the arithmetic to one of two paths:
 * {@link RecurrentHostPath} (float Java step math on host memory, the CPU's fast path) or
 * {@link RecurrentOpsPath} (ND4J operations only, which a GPU can run). The host path computes
 * float passes without a mask; a layer on it sends any other pass (double precision, masks) to
 * the ops path. Parameters, state and serialisation are the same on both, so a model moves
 * between them freely.
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
        extends BaseRecurrentLayer<C> implements RecurrentCell {

    public static final String STATE_KEY = "h";

    private LayerPath path = Compute.DEFAULT.resolvedPath();
    private Gang stepThreads = Compute.DEFAULT.stepThreads();
    /** Made when first used, so a layer on the ops path never creates the host path's machinery. */
    private RecurrentHostPath hostPath;
    private RecurrentOpsPath opsPath;

    /** False while the network discards dL/dinput of this layer (the first layer, in training). */
    private boolean inputGradientNeeded = true;

    protected FusedRecurrentLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public int stateWidth() {
        return 1;
    }

    @Override
    public boolean separateRecurrentGradient() {
        return false;
    }

    /** Initial state of the latest training forward pass (null: zeros), where backprop restarts. */
    private INDArray trainingStart;

    /**
     * The latest training forward pass, kept for the backward pass that follows it so the forward
     * is not computed twice. Its arrays live in the activations workspace, which DL4J keeps open from
     * the forward pass through backpropagation; {@link #cachedFor} guards against any other use.
     */
    private RecurrentPass cached;
    private INDArray cachedFor;

    /** When set, each forward pass keeps a copy of what its cells computed (the probes' passes). */
    private boolean recordActivations;
    private CellActivations recordedActivations;

    /** When set, backprop records ||dL/dh_t|| of the first sequence for every step (gradient flow). */
    private boolean recordHiddenGradients;
    private double[] hiddenGradientNorms;

    /** The path this layer computes on: {@link LayerPath#HOST} or {@link LayerPath#OPS}. */
    public LayerPath layerPath() {
        return path;
    }

    /** Puts this layer on a path (host or ops) and its step threads from its next pass on. */
    void compute(Compute compute) {
        path = compute.resolvedPath();
        stepThreads = compute.stepThreads();
        cached = null;
        cachedFor = null;
    }

    /** Records ||dL/dh_t|| (recurrence included) in the next backward pass; see {@link #hiddenGradientNorms()}. */
    public void recordHiddenGradients(boolean record) {
        recordHiddenGradients = record;
        hiddenGradientNorms = null;
    }

    /**
     * Keeps a copy of the gate activations, outputs and (LSTM) memory cells of every forward pass
     * from now on, or stops; see {@link #recordedActivations()}. A probe sets it on a session of its
     * own: training's passes never pay for the copy.
     */
    public void recordActivations(boolean record) {
        recordActivations = record;
        recordedActivations = null;
    }

    /** The cells' values in the latest forward pass since {@link #recordActivations} was set, or null. */
    public CellActivations recordedActivations() {
        return recordedActivations;
    }

    /** Each gate block of a pass's gate array, which holds the activations after the forward pass. */
    protected abstract List<CellActivations.Gate> gateActivations(INDArray gates, INDArray hidden, long n);

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

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return output(forward(null, training, false, workspaceMgr));
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        RecurrentPass pass = forward(stateMap.get(STATE_KEY), false, false, workspaceMgr);
        stateMap.put(STATE_KEY, detached(pass.lastState()));
        return output(pass);
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        RecurrentPass pass = forward(tBpttStateMap.get(STATE_KEY), training, false, workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE_KEY, detached(pass.lastState()));
        }
        return output(pass);
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

    private INDArray output(RecurrentPass pass) {
        return permuteIfNWC(TimeMajor.sequence(pass.output2d(), pass.batch(), pass.steps()));
    }

    private RecurrentPass forward(INDArray h0, boolean training, boolean forBackprop, LayerWorkspaceMgr ws) {
        if (training) {
            trainingStart = h0;
        }
        assertInputSet(false);
        Preconditions.checkState(input.rank() == 3, "3D input [batch, nIn, time] expected, got rank %s", input.rank());
        applyDropOutIfNecessary(training, ws);
        INDArray x = permuteIfNWC(input.castTo(dataType));
        long batch = x.size(0);
        long steps = x.size(2);
        long n = layerConf().getNOut();
        long width = stateWidth() * n;
        Preconditions.checkState(h0 == null || h0.size(0) == batch, "Stored state has batch %s but the input has %s; "
                + "call rnnClearPreviousState() between batches of different sizes", h0 == null ? 0 : h0.size(0), batch);
        boolean keep = training && !forBackprop;
        ArrayType work = keep ? ArrayType.ACTIVATIONS : forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;
        boolean onHost = path == LayerPath.HOST && RecurrentHostPath.computes(dataType, maskArray != null);

        INDArray history = ws.createUninitialized(work, dataType, new long[] {(steps + 1) * batch, width}, 'c');
        INDArray start = history.get(interval(0, batch), all());
        if (h0 != null) {
            start.assign(h0);
        } else {
            start.assign(0);
        }
        RecurrentPass pass = new RecurrentPass(TimeMajor.rows(x, ws, work, dataType), null,
                ws.createUninitialized(work, dataType, new long[] {steps * batch, gates() * n}, 'c'), history,
                cacheWidth() == 0 ? null
                        : ws.createUninitialized(work, dataType, new long[] {steps * batch, cacheWidth() * n}, 'c'),
                separateRecurrentGradient() && !onHost
                        ? ws.createUninitialized(work, dataType, new long[] {batch, gates() * n}, 'c') : null,
                ws.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[] {steps * batch, n}, 'c'),
                batch, steps, onHost);
        boolean recording = recordActivations && !forBackprop;
        int[] symbols = path(onHost).forward(pass, weights(training, ws), maskArray, training || forBackprop || recording,
                new RecurrentPath.Memory(ws, work, dataType));
        pass = pass.withSymbols(symbols);
        if (recording) {
            recordedActivations = record(pass, n);
        }
        cached = keep ? pass : null;
        cachedFor = keep ? input : null;
        return pass;
    }

    private Pair<Gradient, INDArray> backprop(INDArray epsilon, int backLength, LayerWorkspaceMgr ws) {
        assertInputSet(true);
        RecurrentPass pass = cached != null && cachedFor == input ? cached : forward(trainingStart, true, true, ws);
        cached = null;
        cachedFor = null;
        long batch = pass.batch();
        long steps = pass.steps();
        gradientsFlattened.assign(0);
        INDArray dW = gradientViews.get(RecurrentParams.WEIGHTS);
        INDArray dRW = gradientViews.get(RecurrentParams.RECURRENT_WEIGHTS);
        INDArray dB = gradientViews.get(RecurrentParams.BIAS);

        int end = backLength > 0 ? (int) Math.max(0, steps - backLength) : 0;
        INDArray dProjection = stepGradients(ws, batch, steps, end);
        INDArray epsOut2d = !inputGradientNeeded ? null : ws.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {steps * batch, pass.input2d().size(1)}, 'c');
        RecurrentPath.Gradients gradients = new RecurrentPath.Gradients(
                TimeMajor.rows(permuteIfNWC(epsilon), ws, ArrayType.BP_WORKING_MEM, dataType), dProjection,
                separateRecurrentGradient() ? stepGradients(ws, batch, steps, end) : dProjection, epsOut2d, dW, dRW, dB);
        hiddenGradientNorms = path(pass.onHost()).backward(pass, weights(true, ws), gradients, end, maskArray,
                recordHiddenGradients, new RecurrentPath.Memory(ws, ArrayType.BP_WORKING_MEM, dataType));

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

    private RecurrentPath.Weights weights(boolean training, LayerWorkspaceMgr ws) {
        return new RecurrentPath.Weights(getParamWithNoise(RecurrentParams.WEIGHTS, training, ws),
                getParamWithNoise(RecurrentParams.RECURRENT_WEIGHTS, training, ws),
                getParamWithNoise(RecurrentParams.BIAS, training, ws));
    }

    private RecurrentPath path(boolean onHost) {
        if (onHost) {
            if (hostPath == null) {
                hostPath = new RecurrentHostPath(this, () -> stepThreads);
            }
            return hostPath;
        }
        if (opsPath == null) {
            opsPath = new RecurrentOpsPath(this);
        }
        return opsPath;
    }

    /**
     * [steps*batch, gates*n] per-step gradients: the backward steps write the rows of steps >= end,
     * the rows before stay zero (products over all rows read them), so only those are zeroed, not
     * the whole array on the calling thread.
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
     * Copies of the pass's gates and states, out of the workspaces, cut into whole [steps*batch, n]
     * arrays (not views: in ND4J M2.1 rows cut from a view with an offset come back empty).
     */
    private CellActivations record(RecurrentPass pass, long n) {
        RowBlock states = new RowBlock(pass.history(), pass.batch(), pass.steps() * pass.batch()); // after each step
        INDArray hidden = detached(states.blocks(0, 1, n));
        return new CellActivations(pass.batch(), pass.steps(), List.copyOf(gateActivations(pass.gates(), hidden, n)),
                hidden, stateWidth() > 1 ? detached(states.blocks(1, 1, n)) : null);
    }

    /** A copy of gate block {@code block} of a whole [rows, k*n] array, outside every workspace. */
    protected static INDArray block(INDArray gates, int block, long n) {
        return detached(RowBlock.of(gates).blocks(block, 1, n));
    }

    private static INDArray detached(INDArray array) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return array.dup('c');
        }
    }
}
