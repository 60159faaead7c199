package dev.charrnn.nn;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One way of computing a {@link FusedRecurrentLayer}'s passes: {@link RecurrentHostPath} or {@link RecurrentOpsPath}. */
interface RecurrentPath {

    /**
     * Fills the pass's gates, states (after its start state), cache and output from its input;
     * {@code mask} [batch, steps] or null; {@code keep}: a backward pass follows. Returns the
     * input's characters when this path read them, else null.
     */
    int[] forward(RecurrentPass pass, Weights weights, INDArray mask, boolean keep, Memory memory);

    /**
     * Backward over steps {@code steps-1 .. end} of a pass this path computed: fills
     * {@code gradients}. Returns ||dL/dh_t|| of the first sequence for t = 1..T when
     * {@code recordHiddenNorms}, else null.
     */
    double[] backward(RecurrentPass pass, Weights weights, Gradients gradients, int end, INDArray mask,
                      boolean recordHiddenNorms, Memory memory);

    /** The layer's parameters for a pass: W [nIn, gates*n], RW [n, gates*n], b [gates*n]. */
    record Weights(INDArray w, INDArray rw, INDArray bias) {
    }

    /**
     * A backward pass's arrays. {@code epsilon} = dL/dh_t from above [steps*batch, n], time-major;
     * {@code dProjection} and {@code dRecurrent} (the same array unless the cell has a separate
     * recurrent term) have the rows of steps before the window zeroed already; the parameter
     * gradients are zero; {@code epsilonOut} is null when dL/dinput is not needed.
     */
    record Gradients(INDArray epsilon, INDArray dProjection, INDArray dRecurrent, INDArray epsilonOut,
                     INDArray dW, INDArray dRW, INDArray dB) {
    }

    /** Where a pass's working arrays go. */
    record Memory(LayerWorkspaceMgr workspaces, ArrayType type, DataType dataType) {

        INDArray uninitialized(long rows, long columns) {
            return workspaces.createUninitialized(type, dataType, new long[] {rows, columns}, 'c');
        }

        INDArray zeros(long rows, long columns) {
            return workspaces.create(type, dataType, new long[] {rows, columns}, 'c');
        }
    }
}
