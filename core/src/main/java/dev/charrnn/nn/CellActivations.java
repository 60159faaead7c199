package dev.charrnn.nn;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one forward pass of a recurrent layer computed inside its cells, copied out of the pass
 * ({@link FusedRecurrentLayer#recordActivations}). Every array is time-major [steps*batch, n]: row
 * {@code t*batch + b} is step t of sequence b.
 *
 * @param gates  each gate's activations after its nonlinearity, in column order (a vanilla RNN has
 *               one, its output h)
 * @param hidden the output h after each step
 * @param cell   an LSTM's memory cell c after each step; null for the other cells
 */
public record CellActivations(long batch, long steps, List<Gate> gates, INDArray hidden, INDArray cell) {

    /** One gate block: its name (LSTM i f g o, GRU r u c, RNN h), its nonlinearity, its [steps*batch, n] values. */
    public record Gate(String name, boolean sigmoid, INDArray values) {
    }
}
