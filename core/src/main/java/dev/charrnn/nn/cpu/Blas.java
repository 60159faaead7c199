package dev.charrnn.nn.cpu;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products of the recurrent layers. On the CPU backend they go straight to the OpenBLAS
 * that ND4J itself loads ({@code cblas_sgemm} / {@code cblas_dgemm} on the arrays' memory): for the
 * per-step [batch, n] x [n, gates*n] products ND4J's matmul op costs noticeably more than the BLAS
 * call it wraps, and with two BLAS threads its time was erratic. Other backends and data types take
 * {@link Nd4j#gemm}.
 *
 * <p>Operands are {@link Block}s: a 2D array, or a block of its rows and columns, described by
 * its memory layout only. Cutting a time step out of a sequence buffer is then a Java object,
 * not an ND4J view (each of which allocates native shape information).
 */
public final class Blas {

    private static final boolean DIRECT = "CPU".equals(Nd4jBackend.name());

    private Blas() {
    }

    /** {@code c = alpha * op(a) op(b) + beta * c} on blocks. */
    public static void gemm(Block a, boolean transposeA, Block b, boolean transposeB, Block c, double alpha,
                            double beta) {
        DataType type = c.array.dataType();
        boolean direct = DIRECT && a.layout != null && b.layout != null && c.layout != null
                && a.array.dataType() == type && b.array.dataType() == type
                && (type == DataType.FLOAT || type == DataType.DOUBLE);
        if (!direct) {
            Nd4j.gemm(a.view(), b.view(), c.view(), transposeA, transposeB, alpha, beta);
            return;
        }
        int m = c.rows;
        int n = c.columns;
        int k = transposeA ? a.rows : a.columns;
        if (m == 0 || n == 0) {
            return;
        }
        // cblas in c's own layout; an operand stored the other way round is its own transpose
        boolean rowMajor = c.layout.rowMajor;
        int order = rowMajor ? openblas_nolapack.CblasRowMajor : openblas_nolapack.CblasColMajor;
        int opA = transposeA != (a.layout.rowMajor != rowMajor) ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int opB = transposeB != (b.layout.rowMajor != rowMajor) ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        if (type == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(order, opA, opB, m, n, k, (float) alpha, a.floats(), a.layout.leading,
                    b.floats(), b.layout.leading, (float) beta, c.floats(), c.layout.leading);
        } else {
            openblas_nolapack.cblas_dgemm(order, opA, opB, m, n, k, alpha, a.doubles(), a.layout.leading,
                    b.doubles(), b.layout.leading, beta, c.doubles(), c.layout.leading);
        }
    }

    /**
     * {@code c = alpha * op(a) op(b) + beta * c} shared by the threads of a gang: each computes a
     * band of c's rows (or columns, when c is wider than tall) with a single-threaded BLAS call.
     */
    public static void gemm(Gang gang, Block a, boolean transposeA, Block b, boolean transposeB, Block c, double alpha,
                            double beta) {
        int parts = gang.size();
        if (parts == 1) {
            gemm(a, transposeA, b, transposeB, c, alpha, beta);
            return;
        }
        boolean byRows = c.rows >= c.columns;
        int size = byRows ? c.rows : c.columns;
        gang.run(part -> {
            int from = (int) ((long) size * part / parts);
            int count = (int) ((long) size * (part + 1) / parts) - from;
            if (count == 0) {
                return;
            }
            if (byRows) {
                gemm(transposeA ? a.columns(from, count) : a.rows(from, count), transposeA, b, transposeB,
                        c.rows(from, count), alpha, beta);
            } else {
                gemm(a, transposeA, transposeB ? b.rows(from, count) : b.columns(from, count), transposeB,
                        c.columns(from, count), alpha, beta);
            }
        });
    }

    /** Set once, by whichever thread needs it first: every thread computes the same buffer. */
    private static final class Memory {
        volatile java.nio.FloatBuffer floats;
    }

    /** How a 2D array sits in memory: row- or column-major with a leading dimension. */
    public record Layout(boolean rowMajor, int leading) {

        /** The layout, or null when BLAS cannot read the array in place. */
        public static Layout of(INDArray array) {
            if (array.rank() != 2 || array.isEmpty()) {
                return null;
            }
            long rows = array.size(0);
            long columns = array.size(1);
            long[] stride = array.stride();
            if (columns == 1 || stride[1] == 1) {
                long leading = rows > 1 ? stride[0] : columns;
                return leading >= columns ? new Layout(true, (int) leading) : null;
            }
            if (rows == 1 || stride[0] == 1) {
                long leading = columns > 1 ? stride[1] : rows;
                return leading >= rows ? new Layout(false, (int) leading) : null;
            }
            return null;
        }
    }

    /**
     * Rows {@code [row0, row0+rows)} and columns {@code [column0, column0+columns)} of a 2D array.
     * Creating one, or a sub-block, costs no native call.
     */
    public static final class Block {
        public final INDArray array;
        public final Layout layout;
        public final int row0;
        public final int column0;
        public final int rows;
        public final int columns;
        /** The whole array's memory as a buffer, shared by the blocks cut from one {@link #of}. */
        private final Memory memory;

        private Block(INDArray array, Layout layout, int row0, int column0, int rows, int columns, Memory memory) {
            this.array = array;
            this.layout = layout;
            this.row0 = row0;
            this.column0 = column0;
            this.rows = rows;
            this.columns = columns;
            this.memory = memory;
        }

        /** The whole of a 2D array. */
        public static Block of(INDArray array) {
            return new Block(array, Layout.of(array), 0, 0, (int) array.size(0), (int) array.size(1), new Memory());
        }

        public Block rows(int from, int count) {
            return new Block(array, layout, row0 + from, column0, count, columns, memory);
        }

        public Block columns(int from, int count) {
            return new Block(array, layout, row0, column0 + from, rows, count, memory);
        }

        /** Row-major with no gap between rows: its values are one run of memory. */
        public boolean contiguous() {
            return layout != null && layout.rowMajor && (layout.leading == columns || rows == 1);
        }

        /** Offset of element (0, 0) from the array's element (0, 0). */
        public long offset() {
            return layout.rowMajor ? (long) row0 * layout.leading + column0 : (long) column0 * layout.leading + row0;
        }

        public FloatPointer floats() {
            return new FloatPointer(array.data().addressPointer()).position(offset());
        }

        public DoublePointer doubles() {
            return new DoublePointer(array.data().addressPointer()).position(offset());
        }

        /** Elements from (0, 0) to the block's last element. */
        private long span() {
            return layout.rowMajor ? (long) (rows - 1) * layout.leading + columns
                    : (long) (columns - 1) * layout.leading + rows;
        }

        /**
         * The block's memory as a buffer from element (0, 0) to its last: bulk copies without a
         * native call each. The array's address is looked up once for all the blocks cut from it
         * (ND4J's lookup is a JNI call and a new Pointer: made for every step's rows, it showed in a
         * vanilla RNN's training step).
         */
        public java.nio.FloatBuffer floatBuffer() {
            java.nio.FloatBuffer whole = memory.floats;
            if (whole == null) {
                long length = array.length() == 0 ? 0 : rootSpan();
                FloatPointer start = new FloatPointer(array.data().addressPointer());
                whole = memory.floats = start.limit(length).asBuffer();
            }
            return whole.slice(Math.toIntExact(offset()), Math.toIntExact(span()));
        }

        /** Elements from the array's (0, 0) to its last, in this layout. */
        private long rootSpan() {
            long allRows = array.size(0);
            long allColumns = array.size(1);
            return layout.rowMajor ? (allRows - 1) * layout.leading + allColumns
                    : (allColumns - 1) * layout.leading + allRows;
        }

        /** The block as an ND4J view, for the paths that are not BLAS calls. */
        public INDArray view() {
            if (row0 == 0 && column0 == 0 && rows == array.size(0) && columns == array.size(1)) {
                return array;
            }
            return array.get(interval(row0, row0 + rows), interval(column0, column0 + columns));
        }
    }
}
