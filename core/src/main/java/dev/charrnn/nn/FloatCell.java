package dev.charrnn.nn;

/**
 * A cell's step math in float for float networks, on rows: one array per batch row, each gate
 * block n wide, as {@link FusedRecurrentLayer}'s double step math lays out one row. A float pass
 * then stages nothing: rows are copied from and to ND4J's buffers as they are, and the recurrent
 * product adds straight into them.
 */
interface FloatCell {

    /**
     * {@code gates[r]} holds x W + b, plus h' RW unless the cell has a separate recurrent term (then
     * in {@code recurrent[r]}); it is overwritten with what the backward step needs. Writes
     * {@code state[r]} from {@code previous[r]}, and {@code cache[r]}.
     */
    void forward(int rows, int n, float[][] gates, float[][] recurrent, float[][] previous, float[][] state,
                 float[][] cache);

    /**
     * Writes dL/d(x W + b) into {@code dProjection} and, for a separate recurrent term, dL/d(h' RW)
     * into {@code dRecurrent}; adds into {@code dPrevious} (zeroed) the part of dL/d(state_{t-1})
     * that does not flow through h' RW.
     */
    void backward(int rows, int n, float[][] dState, float[][] previous, float[][] gates, float[][] cache,
                  float[][] dProjection, float[][] dRecurrent, float[][] dPrevious);

    /**
     * True when the backward step reads neither the previous state nor writes {@code dPrevious}
     * (the vanilla RNN's: all of dL/dh' flows through h' RW), so the loops skip reading one and
     * zeroing and carrying the other.
     */
    default boolean backwardOnlyThroughRecurrence() {
        return false;
    }
}
