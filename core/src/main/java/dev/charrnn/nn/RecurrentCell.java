package dev.charrnn.nn;

/**
 * A recurrent cell's shape and its step math on each path: {@link FloatCell} for the host path,
 * {@link OpsCell} for the ops path. Both compute the same cell; the tests hold them to each other.
 */
interface RecurrentCell {

    /** Gate blocks per unit: columns of W, RW and b are {@code gates() * n}. */
    int gates();

    /** State width in units of n columns; the first n columns are the output h. */
    int stateWidth();

    /** Extra per-step values the backward step needs, in units of n columns. */
    int cacheWidth();

    /** True when h' RW enters the cell apart from x W + b (the GRU's reset gate scales part of it). */
    boolean separateRecurrentGradient();

    /** The step math in float on host rows (the host path). */
    FloatCell floatCell();

    /** The step math as ND4J operations (the ops path). */
    OpsCell opsCell();
}
