package dev.charrnn.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link FusedRecurrentLayer}'s passes made of ND4J operations only: matrix products and
 * elementwise and broadcast operations on views of the pass's arrays. It never reads or writes
 * memory itself, so it runs wherever ND4J runs, on the device under CUDA. The input projection of
 * every step is one product over [steps*batch, nIn] (as on the host path); per step there is the
 * recurrent product and the cell's few operations; what does not depend on the step's incoming
 * gradient is done once per pass over all steps ({@link OpsCell#factors}).
 *
 * <p>Masks follow the host path's definition: a masked step keeps the previous state
 * (s = s' + m (s - s')) and outputs zero.
 */
final class RecurrentOpsPath implements RecurrentPath {

    private final RecurrentCell cell;
    private final OpsCell math;

    RecurrentOpsPath(RecurrentCell cell) {
        this.cell = cell;
        this.math = cell.opsCell();
    }

    @Override
    public int[] forward(RecurrentPass pass, Weights weights, INDArray mask, boolean keep, Memory memory) {
        long batch = pass.batch();
        long n = weights.rw().size(0);
        RowBlock gates = RowBlock.of(pass.gates());
        RowBlock history = RowBlock.of(pass.history());
        RowBlock recurrent = pass.recurrent() == null ? null : RowBlock.of(pass.recurrent());
        INDArray keepRows = mask == null ? null : timeMajor(mask, memory);
        Nd4j.gemm(pass.input2d(), weights.w(), pass.gates(), false, false, 1.0, 0.0);
        pass.gates().addi(weights.bias().reshape(1, pass.gates().size(1)), pass.gates());
        for (long t = 0; t < pass.steps(); t++) {
            RowBlock stepGates = gates.rows(t * batch, batch);
            RowBlock before = history.rows(t * batch, batch);
            RowBlock after = history.rows((t + 1) * batch, batch);
            Nd4j.gemm(before.blocks(0, 1, n), weights.rw(), recurrent != null ? recurrent.all() : stepGates.all(), false,
                    false, 1.0, recurrent != null ? 0.0 : 1.0);
            math.forward(n, stepGates, recurrent, before, after,
                    pass.cache() == null ? null : RowBlock.of(pass.cache()).rows(t * batch, batch));
            if (keepRows != null) { // s = s' + m (s - s')
                INDArray state = after.all();
                INDArray previous = before.all();
                state.subi(previous, state).muli(RowBlock.of(keepRows).rows(t * batch, batch).all(), state)
                        .addi(previous, state);
            }
        }
        INDArray output = pass.output2d();
        output.assign(history.rows(batch, pass.steps() * batch).blocks(0, 1, n));
        if (keepRows != null) {
            output.muli(keepRows, output);
        }
        return null;
    }

    @Override
    public double[] backward(RecurrentPass pass, Weights weights, Gradients d, int end, INDArray mask,
                             boolean recordHiddenNorms, Memory memory) {
        long batch = pass.batch();
        long steps = pass.steps();
        long n = weights.rw().size(0);
        long rest = (cell.stateWidth() - 1) * n;
        INDArray keepRows = mask == null ? null : timeMajor(mask, memory);
        RowBlock epsilon = RowBlock.of(epsilon(d.epsilon(), keepRows, memory));
        RowBlock keep = keepRows == null ? null : RowBlock.of(keepRows);
        RowBlock drop = keepRows == null ? null : RowBlock.of(keepRows.rsub(1.0, memory.uninitialized(steps * batch, 1)));
        RowBlock history = RowBlock.of(pass.history());
        RowBlock gates = RowBlock.of(pass.gates());
        RowBlock factors = RowBlock.of(memory.uninitialized(steps * batch, math.factorWidth() * n));
        math.factors(n, gates, history.rows(0, steps * batch), history.rows(batch, steps * batch),
                pass.cache() == null ? null : RowBlock.of(pass.cache()), factors);
        RowBlock dProjection = RowBlock.of(d.dProjection());
        RowBlock dRecurrent = RowBlock.of(d.dRecurrent());

        // dL/d(state_t) as h and the rest; each step writes step t-1's into the other pair
        INDArray[] dOutput = {memory.uninitialized(batch, n), memory.uninitialized(batch, n)};
        INDArray[] dRest = rest == 0 ? null : new INDArray[] {memory.zeros(batch, rest), memory.uninitialized(batch, rest)};
        INDArray carriedOutput = keep == null ? null : memory.zeros(batch, n);
        INDArray carriedRest = keep == null || rest == 0 ? null : memory.zeros(batch, rest);
        RowBlock hidden = recordHiddenNorms ? RowBlock.of(memory.zeros(steps, n)) : null;
        int current = 0;
        for (long t = steps - 1; t >= end; t--) {
            INDArray dh = dOutput[current];
            INDArray stepEpsilon = epsilon.rows(t * batch, batch).all();
            if (t < steps - 1 && math.carriesOutputGradient()) {
                dh.addi(stepEpsilon, dh);
            } else {
                dh.assign(stepEpsilon);
            }
            if (t < steps - 1) { // step t+1's dL/d(h_t RW)
                Nd4j.gemm(dRecurrent.rows((t + 1) * batch, batch).all(), weights.rw(), dh, false, true, 1.0, 1.0);
            }
            INDArray dr = rest == 0 ? null : dRest[current];
            if (keep != null) { // a masked step passes dL/d(state_t) on to state_{t-1} untouched
                INDArray m = keep.rows(t * batch, batch).all();
                INDArray passed = drop.rows(t * batch, batch).all();
                carry(dh, carriedOutput, m, passed);
                if (dr != null) {
                    carry(dr, carriedRest, m, passed);
                }
            }
            if (hidden != null) {
                hidden.rows(t, 1).all().assign(RowBlock.of(dh).rows(0, 1).all());
            }
            math.backward(n, new OpsCell.BackwardStep(dh, dr, gates.rows(t * batch, batch),
                    factors.rows(t * batch, batch), dProjection.rows(t * batch, batch),
                    d.dRecurrent() == d.dProjection() ? null : dRecurrent.rows(t * batch, batch),
                    dOutput[1 - current], rest == 0 ? null : dRest[1 - current]));
            current = 1 - current;
        }
        parameterGradients(pass, weights, d, end, n);
        return hidden == null ? null : hidden.matrix().norm2(1).toDoubleVector();
    }

    /** dL/db, dL/dRW, dL/dW and dL/dinput from the per-step gradients, a product each over all steps. */
    private static void parameterGradients(RecurrentPass pass, Weights weights, Gradients d, int end, long n) {
        long batch = pass.batch();
        long rows = pass.steps() * batch;
        d.dProjection().sum(d.dB(), 0);
        if (end < pass.steps()) { // dL/dRW = sum over t >= end of h_{t-1}^T dL/d(h_{t-1} RW)
            long first = end * batch;
            Nd4j.gemm(RowBlock.of(pass.history()).rows(first, rows - first).blocks(0, 1, n),
                    RowBlock.of(d.dRecurrent()).rows(first, rows - first).all(), d.dRW(), true, false, 1.0, 0.0);
        }
        Nd4j.gemm(pass.input2d(), d.dProjection(), d.dW(), true, false, 1.0, 0.0);
        if (d.epsilonOut() != null) {
            Nd4j.gemm(d.dProjection(), weights.w(), d.epsilonOut(), false, true, 1.0, 0.0);
        }
    }

    /** dL/dh_t from above as a whole array (one the step loop can cut views from), zero at masked steps. */
    private static INDArray epsilon(INDArray epsilon, INDArray keepRows, Memory memory) {
        if (keepRows != null) { // the output at a masked step is zero
            return epsilon.mul(keepRows, memory.uninitialized(epsilon.size(0), epsilon.size(1)));
        }
        if (epsilon.offset() != 0) {
            return memory.uninitialized(epsilon.size(0), epsilon.size(1)).assign(epsilon);
        }
        return epsilon;
    }

    /** Adds what masked steps after t carried, keeps for step t-1 what step t's mask passes on, and masks the rest. */
    private static void carry(INDArray gradient, INDArray carried, INDArray keep, INDArray drop) {
        gradient.addi(carried, gradient);
        gradient.muli(drop, carried);
        gradient.muli(keep, gradient);
    }

    /** A [batch, steps] mask as a time-major column [steps*batch, 1]. */
    private static INDArray timeMajor(INDArray mask, Memory memory) {
        INDArray column = memory.uninitialized(mask.size(1), mask.size(0));
        column.assign(mask.castTo(memory.dataType()).transpose());
        return column.reshape('c', mask.length(), 1);
    }
}
