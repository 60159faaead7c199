package dev.charrnn.nn.cpu;

/**
 * The arithmetic of generation in plain Java, whose multiply-add kernel and activations the
 * training layers' float step loops use too. The matrix loops are written so the JIT turns
 * their inner loop into SIMD code, and so that each row's sums are taken in the same order
 * whatever else is in the batch: a stream gives the same numbers alone or batched.
 */
public final class Kernels {

    /**
     * Rows that share one pass over a tile of weights. 8, not 16: sixteen rows of accumulators for
     * a thread's columns (an LSTM's 512) fill L1 alone. Eight sampled faster than four or sixteen
     * for every cell.
     */
    static final int ROW_BLOCK = 8;

    /**
     * True when the JVM was started with {@code --add-modules jdk.incubator.vector}: then batches of
     * four or more rows take {@link VectorKernels}, whose class is never loaded otherwise.
     */
    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private Kernels() {
    }

    /** Which kernel batched generation uses, for /api/system. */
    public static String description() {
        return VECTOR_API ? "vector API, " + VectorKernels.lanes() + " float lanes"
                : "auto-vectorized (start the JVM with --add-modules jdk.incubator.vector for the faster kernel)";
    }

    /**
     * {@code acc[r][c] += sum_i x[r][i] * w[i][c]} for rows r in [from, to) and columns c in
     * [c0, c1), where {@code w[i]} is row i of a [k, width] matrix. Six inputs per pass over an
     * accumulator, fused multiply-adds, i ascending for every element however the rows are
     * blocked. (Rows as separate arrays: with one flat array and four offsets into it the JIT does
     * not vectorize the inner loop. Six inputs beat four; with eight, or two rows per pass, the JIT
     * no longer vectorizes; tiling the columns was slower.)
     */
    public static void accumulate(float[][] acc, float[][] x, int from, int to, int k, float[][] w, int c0, int c1) {
        if (VECTOR_API && to - from >= 4) {
            VectorKernels.accumulate(acc, x, from, to, k, w, c0, c1);
        } else {
            accumulateScalar(acc, x, from, to, k, w, c0, c1);
        }
    }

    /** The auto-vectorized kernel: the only one without the Vector API, and for fewer than four rows. */
    public static void accumulateScalar(float[][] acc, float[][] x, int from, int to, int k, float[][] w, int c0, int c1) {
        for (int r0 = from; r0 < to; r0 += ROW_BLOCK) {
            accumulateBlock(acc, x, r0, Math.min(to, r0 + ROW_BLOCK), k, w, c0, c1);
        }
    }

    private static void accumulateBlock(float[][] acc, float[][] x, int from, int to, int k, float[][] w, int c0,
                                        int c1) {
        int i = 0;
        for (; i + 5 < k; i += 6) {
            float[] w0 = w[i];
            float[] w1 = w[i + 1];
            float[] w2 = w[i + 2];
            float[] w3 = w[i + 3];
            float[] w4 = w[i + 4];
            float[] w5 = w[i + 5];
            for (int r = from; r < to; r++) {
                float[] a = acc[r];
                float[] in = x[r];
                float x0 = in[i];
                float x1 = in[i + 1];
                float x2 = in[i + 2];
                float x3 = in[i + 3];
                float x4 = in[i + 4];
                float x5 = in[i + 5];
                for (int c = c0; c < c1; c++) {
                    a[c] = Math.fma(x5, w5[c], Math.fma(x4, w4[c], Math.fma(x3, w3[c],
                            Math.fma(x2, w2[c], Math.fma(x1, w1[c], Math.fma(x0, w0[c], a[c]))))));
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

    /**
     * tanh to within a few float ulps (at most 4.4, 1.6e-7 absolute, measured over [-20, 20]) in
     * arithmetic alone, so loops over it vectorize (Math.exp is a call per element, 12x slower):
     * Lambert's [7/6] continued-fraction approximant at x/4, where it is accurate, then the
     * doubling formula tanh(2y) = 2 tanh(y) / (1 + tanh(y)^2) twice, which does not amplify
     * relative error. Beyond |x| = 16 tanh is +-1 in float; the clamp keeps the approximant finite.
     */
    public static float tanh(float x) {
        float y = Math.max(Math.min(x, 16f), -16f) * 0.25f;
        float u = y * y;
        float t = (((u + 378f) * u + 17325f) * u + 135135f) * y / (((28f * u + 3150f) * u + 62370f) * u + 135135f);
        t = 2f * t / (1f + t * t);
        return 2f * t / (1f + t * t);
    }

    /** v[k] = tanh(v[k]) for k in [from, to). */
    public static void tanh(float[] v, int from, int to) {
        for (int k = from; k < to; k++) {
            v[k] = tanh(v[k]);
        }
    }

    /** v[k] = sigmoid(v[k]) for k in [from, to), as tanh(x/2)/2 + 1/2. */
    public static void sigmoid(float[] v, int from, int to) {
        for (int k = from; k < to; k++) {
            v[k] = 0.5f * tanh(0.5f * v[k]) + 0.5f;
        }
    }

    /**
     * v[k] = s tanh(s v[k]) + 1 - s with s = scale[k]: a sigmoid where s is 1/2
     * (sigmoid(x) = tanh(x/2)/2 + 1/2) and a tanh where s is 1, so gates of both kinds that
     * sit side by side are activated in one vectorized loop.
     */
    public static void activate(float[] v, float[] scale, int from, int to) {
        for (int k = from; k < to; k++) {
            float s = scale[k];
            v[k] = s * tanh(s * v[k]) + (1f - s);
        }
    }

    /** Softmax of the first {@code size} {@code logits} into {@code probabilities}, taken in double. */
    public static void softmax(float[] logits, int size, float[] probabilities) {
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
