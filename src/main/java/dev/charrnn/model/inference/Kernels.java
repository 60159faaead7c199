package dev.charrnn.model.inference;

/**
 * The arithmetic of generation in plain Java. The matrix loops are written so the JIT turns
 * their inner loop into SIMD code, and so that each row's sums are taken in the same order
 * whatever else is in the batch: a stream gives the same numbers alone or batched.
 */
final class Kernels {

    /** Rows that share one pass over the weights (their accumulators and 4 weight rows stay in L1). */
    static final int ROW_BLOCK = 4;

    private Kernels() {
    }

    /**
     * {@code acc[r][c] += sum_i x[r][i] * w[i][c]} for rows r in [from, to) and columns c in
     * [c0, c1), where {@code w[i]} is row i of a [k, width] matrix. Four inputs per pass over an
     * accumulator, fused multiply-adds. (Rows as separate arrays: with one flat array and four
     * offsets into it the JIT does not vectorize the inner loop, and the kernel runs 5x slower.)
     */
    static void accumulate(float[][] acc, float[][] x, int from, int to, int k, float[][] w, int c0, int c1) {
        int i = 0;
        for (; i + 3 < k; i += 4) {
            float[] w0 = w[i];
            float[] w1 = w[i + 1];
            float[] w2 = w[i + 2];
            float[] w3 = w[i + 3];
            for (int r = from; r < to; r++) {
                float[] a = acc[r];
                float[] in = x[r];
                float x0 = in[i];
                float x1 = in[i + 1];
                float x2 = in[i + 2];
                float x3 = in[i + 3];
                for (int c = c0; c < c1; c++) {
                    a[c] = Math.fma(x3, w3[c], Math.fma(x2, w2[c], Math.fma(x1, w1[c], Math.fma(x0, w0[c], a[c]))));
                }
            }
        }
        for (; i < k; i++) {
            float[] wi = w[i];
            for (int r = from; r < to; r++) {
                float[] a = acc[r];
                float xi = x[r][i];
                for (int c = c0; c < c1; c++) {
                    a[c] = Math.fma(xi, wi[c], a[c]);
                }
            }
        }
    }

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /** tanh through exp, which the JIT makes an intrinsic (Math.tanh is not one on Java 17). */
    static float tanh(float x) {
        return (float) (1.0 - 2.0 / (Math.exp(2.0 * x) + 1.0));
    }

    /** Softmax of the first {@code size} {@code logits} into {@code probabilities}, taken in double. */
    static void softmax(float[] logits, int size, float[] probabilities) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < size; v++) {
            max = Math.max(max, logits[v]);
        }
        double sum = 0;
        for (int v = 0; v < size; v++) {
            double e = Math.exp(logits[v] - max);
            probabilities[v] = (float) e;
            sum += e;
        }
        float scale = (float) (1.0 / sum);
        for (int v = 0; v < size; v++) {
            probabilities[v] *= scale;
        }
    }
}
