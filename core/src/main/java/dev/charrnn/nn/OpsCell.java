package dev.charrnn.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A cell's step math made of ND4J operations, for {@link RecurrentOpsPath}. Arguments are blocks
 * of rows of the pass's arrays ([rows, k*n], gate blocks n wide, in the order of W's columns);
 * every operation writes into one of them, so a pass allocates nothing per step. The elementwise
 * work that does not depend on the step's incoming gradient is done once for all steps
 * ({@link #factors}), so a backward step is a handful of operations on [batch, n] arrays.
 */
interface OpsCell {

    /**
     * One step forward. {@code gates} holds x W + b, plus h' RW unless the cell has a separate
     * recurrent term (then in {@code recurrent}); overwrite it with the activations the backward
     * pass reads. Writes {@code state} ([h | rest]) from {@code previous}, and {@code cache}.
     */
    void forward(long n, RowBlock gates, RowBlock recurrent, RowBlock previous, RowBlock state, RowBlock cache);

    /** Width of {@link #factors}' output in units of n. */
    int factorWidth();

    /**
     * For every step at once ([steps*batch] rows): the products of activations the backward steps
     * multiply the incoming gradient by. {@code previous} holds each step's previous state.
     */
    void factors(long n, RowBlock gates, RowBlock previous, RowBlock states, RowBlock cache, RowBlock factors);

    /** One step backward; see {@link BackwardStep}. */
    void backward(long n, BackwardStep step);

    /**
     * True when the cell passes part of dL/dh_t to dL/dh_{t-1} other than through h' RW (the
     * GRU's h = u * h' + ...): its backward step then writes {@code dPreviousOutput}.
     */
    default boolean carriesOutputGradient() {
        return false;
    }

    /**
     * One backward step's arrays. In: {@code dOutput} = dL/dh_t [batch, n] and {@code dRest} =
     * dL/d(the rest of state_t) (null for a state that is h alone; the step may overwrite it),
     * the step's {@code gates} and {@code factors}. Out: {@code dProjection} = dL/d(x W + b),
     * {@code dRecurrent} = dL/d(h' RW) when the cell has a separate recurrent term (else null),
     * {@code dPreviousRest} (every column) and, when {@link #carriesOutputGradient()},
     * {@code dPreviousOutput}: the part of dL/d(state_{t-1}) that does not flow through h' RW.
     */
    record BackwardStep(INDArray dOutput, INDArray dRest, RowBlock gates, RowBlock factors, RowBlock dProjection,
                        RowBlock dRecurrent, INDArray dPreviousOutput, INDArray dPreviousRest) {
    }
}
