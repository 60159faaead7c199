package dev.charrnn.model.layers;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import dev.charrnn.model.Nd4jBackend;

/**
 * Matrix products of the recurrent layers. On the CPU backend they go straight to the OpenBLAS
 * that ND4J itself loads ({@code cblas_sgemm} / {@code cblas_dgemm} on the arrays' memory): for the
 * per-step [batch, n] x [n, gates*n] products ND4J's matmul op costs 10-100% more than the BLAS
 * call it wraps, and with two BLAS threads it was erratic (measured 180-330 us against a steady
 * 150-170 us). Views are passed as they are (leading dimensions, transposes), nothing is copied.
 * Other backends, data types or layouts take {@link Nd4j#gemm}.
 */
public final class Blas {

    private static final boolean DIRECT = "CPU".equals(Nd4jBackend.name());

    private Blas() {
    }

    /** {@code c = alpha * op(a) op(b) + beta * c}, where op transposes when asked. */
    public static void gemm(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c,
                            double alpha, double beta) {
        Layout la = Layout.of(a);
        Layout lb = Layout.of(b);
        Layout lc = Layout.of(c);
        DataType type = c.dataType();
        if (!DIRECT || la == null || lb == null || lc == null || a.dataType() != type || b.dataType() != type
                || type != DataType.FLOAT && type != DataType.DOUBLE) {
            Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
            return;
        }
        int m = (int) c.size(0);
        int n = (int) c.size(1);
        int k = (int) (transposeA ? a.size(0) : a.size(1));
        if (m == 0 || n == 0) {
            return;
        }
        // cblas in c's own layout; an operand stored the other way round is its own transpose
        int order = lc.rowMajor ? openblas_nolapack.CblasRowMajor : openblas_nolapack.CblasColMajor;
        int opA = transposeA != (la.rowMajor != lc.rowMajor) ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int opB = transposeB != (lb.rowMajor != lc.rowMajor) ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        if (type == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(order, opA, opB, m, n, k, (float) alpha,
                    new FloatPointer(a.data().addressPointer()), la.leading,
                    new FloatPointer(b.data().addressPointer()), lb.leading, (float) beta,
                    new FloatPointer(c.data().addressPointer()), lc.leading);
        } else {
            openblas_nolapack.cblas_dgemm(order, opA, opB, m, n, k, alpha,
                    new DoublePointer(a.data().addressPointer()), la.leading,
                    new DoublePointer(b.data().addressPointer()), lb.leading, beta,
                    new DoublePointer(c.data().addressPointer()), lc.leading);
        }
    }

    /** A new c-order {@code op(a) op(b)}. */
    public static INDArray gemm(INDArray a, boolean transposeA, INDArray b, boolean transposeB) {
        long rows = transposeA ? a.size(1) : a.size(0);
        long columns = transposeB ? b.size(0) : b.size(1);
        INDArray c = Nd4j.createUninitialized(a.dataType(), rows, columns);
        gemm(a, transposeA, b, transposeB, c, 1.0, 0.0);
        return c;
    }

    /** How a 2D array sits in memory: row- or column-major with a leading dimension, or null (copy first). */
    private record Layout(boolean rowMajor, int leading) {

        static Layout of(INDArray array) {
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
}
