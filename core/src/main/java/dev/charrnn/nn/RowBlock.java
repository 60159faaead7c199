package dev.charrnn.nn;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.common.base.Preconditions;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows [first, first + count) of a 2D array, and views of their columns, for the ops path: the
 * views share the array's memory, on the host or the device. Every view is cut from the whole
 * array in one step: in ND4J 1.0.0-M2.1 a view cut from a view that has an offset comes back
 * empty once its own offset passes the outer view's length (BaseNDArray.get compares the two),
 * which the rows of any step after the first do.
 */
record RowBlock(INDArray matrix, long first, long count) {

    RowBlock {
        Preconditions.checkArgument(matrix.rank() == 2 && matrix.offset() == 0,
                "a whole 2D array expected, got rank %s with offset %s", matrix.rank(), matrix.offset());
    }

    /** All rows of a whole (not a view with an offset) 2D array. */
    static RowBlock of(INDArray matrix) {
        return new RowBlock(matrix, 0, matrix.size(0));
    }

    /** Rows [from, from + rows) of this block. */
    RowBlock rows(long from, long rows) {
        return new RowBlock(matrix, first + from, rows);
    }

    /** Gate blocks [firstBlock, firstBlock + blocks) of width n: [count, blocks*n]. */
    INDArray blocks(int firstBlock, int blocks, long n) {
        return columns(firstBlock * n, blocks * n);
    }

    /** Columns [from, from + width). */
    INDArray columns(long from, long width) {
        return matrix.get(interval(first, first + count), interval(from, from + width));
    }

    /** All columns. */
    INDArray all() {
        return columns(0, matrix.size(1));
    }

    /**
     * A [rows, k*n] view as [rows, k, n], so one broadcast operation multiplies every block by the
     * same [rows, 1, n]. Always a view: ND4J throws rather than copy.
     */
    static INDArray byBlock(INDArray view, long n) {
        return view.reshape('c', true, view.size(0), view.size(1) / n, n);
    }
}
