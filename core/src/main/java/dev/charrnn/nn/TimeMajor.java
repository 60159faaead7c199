package dev.charrnn.nn;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's recurrent layout [batch, columns, time] and the layers' time-major rows [time*batch,
 * columns] (row t*batch + b is step t of sequence b, the row order of DL4J's own 3D-to-2D reshape).
 * The service lays sequences out time-major in memory, so these are views, not copies.
 */
final class TimeMajor {

    private TimeMajor() {
    }

    /** Time-major rows of a sequence: a view when its memory is time-major already, else a copy in {@code type}'s workspace. */
    static INDArray rows(INDArray sequence, LayerWorkspaceMgr ws, ArrayType type, DataType dataType) {
        INDArray permuted = sequence.permute(2, 0, 1);
        long steps = permuted.size(0);
        long batch = permuted.size(1);
        long columns = permuted.size(2);
        long[] stride = permuted.stride();
        if (permuted.dataType() == dataType && stride[2] == 1 && stride[1] == columns
                && (steps == 1 || stride[0] == batch * columns)) {
            return permuted.reshape('c', steps * batch, columns);
        }
        INDArray copy = ws.createUninitialized(type, dataType, new long[] {steps, batch, columns}, 'c');
        copy.assign(permuted);
        return copy.reshape('c', steps * batch, columns);
    }

    /** Time-major rows viewed as [batch, columns, time], without a copy. */
    static INDArray sequence(INDArray rows, long batch, long steps) {
        return rows.reshape('c', steps, batch, rows.size(1)).permute(1, 2, 0);
    }
}
