package dev.charrnn.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a forward pass of a {@link FusedRecurrentLayer} computed, all time-major 2D (row
 * {@code t*batch + b} is step t of sequence b). {@code history} is [(steps+1)*batch, width]:
 * the start state, then the state after every step, so each step's previous state is a block of
 * rows too. {@code symbols}: the input's characters when the host path read them, else null.
 * {@code onHost}: which path computed it, so the backward pass takes the same one.
 */
record RecurrentPass(INDArray input2d, int[] symbols, INDArray gates, INDArray history, INDArray cache,
                     INDArray recurrent, INDArray output2d, long batch, long steps, boolean onHost) {

    INDArray start() {
        return rows(0, batch);
    }

    /** The state after each step: [steps*batch, width]. */
    INDArray states() {
        return rows(batch, steps * batch);
    }

    /** The state before each step: [steps*batch, width]. */
    INDArray previous() {
        return rows(0, steps * batch);
    }

    INDArray lastState() {
        return rows(steps * batch, batch);
    }

    private INDArray rows(long from, long count) {
        return new RowBlock(history, from, count).all();
    }

    RecurrentPass withSymbols(int[] characters) {
        return new RecurrentPass(input2d, characters, gates, history, cache, recurrent, output2d, batch, steps, onHost);
    }
}
