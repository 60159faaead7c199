package dev.charrnn.nn.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KernelsTest {

    /** Distance in float ulps of the exact value, as the correctly rounded float sees it. */
    private static double ulps(float value, double exact) {
        return Math.abs(value - exact) / Math.ulp((float) Math.max(Math.abs(exact), Float.MIN_NORMAL));
    }

    /**
     * The Vector API kernel gives the scalar kernel's floats bit for bit, whatever the rows (groups of
     * four and the rest) and columns (whole vector pairs and a tail), so a stream's numbers do not
     * depend on the JVM's flags or on its batch. Surefire runs with the module; without it, skipped.
     */
    @Test
    void theVectorKernelGivesTheScalarKernelsFloatsBitForBit() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.VECTOR_API,
                "the JVM runs without --add-modules jdk.incubator.vector: only the scalar kernel is in use");
        java.util.Random random = new java.util.Random(5);
        int k = 37;
        float[][] w = new float[k][301];
        for (float[] row : w) {
            for (int c = 0; c < row.length; c++) {
                row[c] = (float) random.nextGaussian();
            }
        }
        for (int rows : new int[] {4, 5, 7, 8, 16, 17}) {
            float[][] x = new float[rows][k];
            float[][] scalar = new float[rows][301];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < k; i++) {
                    x[r][i] = (float) random.nextGaussian();
                }
                for (int c = 0; c < 301; c++) {
                    scalar[r][c] = (float) random.nextGaussian();
                }
            }
            float[][] vector = new float[rows][];
            for (int r = 0; r < rows; r++) {
                vector[r] = scalar[r].clone();
            }
            Kernels.accumulateScalar(scalar, x, 0, rows, k, w, 3, 299);
            VectorKernels.accumulate(vector, x, 0, rows, k, w, 3, 299);
            for (int r = 0; r < rows; r++) {
                assertThat(vector[r]).as("%s rows, row %s", rows, r).containsExactly(scalar[r]);
            }
        }
        assertThat(VectorKernels.lanes()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void tanhIsWithinAFewFloatUlpsEverywhereAndSaturatesAtPlusMinusOne() {
        double worst = 0;
        for (double x = -30; x <= 30; x += 1e-4) {
            worst = Math.max(worst, ulps(Kernels.tanh((float) x), Math.tanh((float) x)));
        }
        assertThat(worst).as("worst error in ulps").isLessThan(6);
        assertThat(Kernels.tanh(0f)).isZero();
        assertThat(Kernels.tanh(1e-20f)).isEqualTo(1e-20f);
        assertThat(Kernels.tanh(40f)).isEqualTo(1f);
        assertThat(Kernels.tanh(-1e30f)).isEqualTo(-1f);
        assertThat(Kernels.tanh(Float.NaN)).isNaN();
    }

    @Test
    void activateGivesSigmoidsAndTanhsSideBySide() {
        float[] x = {-12f, -1.5f, 0f, 0.3f, 2f, 9f};
        float[] scale = {0.5f, 1f, 0.5f, 1f, 0.5f, 0.5f};
        float[] v = x.clone();
        Kernels.activate(v, scale, 0, v.length);
        for (int k = 0; k < x.length; k++) {
            double exact = scale[k] == 1f ? Math.tanh(x[k]) : 1 / (1 + Math.exp(-x[k]));
            assertThat((double) v[k]).as("column %s", k).isCloseTo(exact, org.assertj.core.data.Offset.offset(2e-7));
        }
    }

    @Test
    void accumulateAddsTheProductForEveryRowAndColumnRange() {
        int k = 13; // not a multiple of the six-input unroll
        float[][] x = new float[3][k];
        float[][] w = new float[k][9];
        for (int i = 0; i < k; i++) {
            for (int r = 0; r < 3; r++) {
                x[r][i] = (r + 1) * 0.1f * (i % 5 - 2);
            }
            for (int c = 0; c < 9; c++) {
                w[i][c] = (float) Math.sin(i * 9 + c);
            }
        }
        float[][] acc = new float[3][9];
        acc[1][4] = 1f;
        Kernels.accumulate(acc, x, 1, 3, k, w, 2, 7);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 9; c++) {
                double expected = r == 1 && c == 4 ? 1 : 0;
                if (r >= 1 && c >= 2 && c < 7) {
                    for (int i = 0; i < k; i++) {
                        expected += (double) x[r][i] * w[i][c];
                    }
                }
                assertThat((double) acc[r][c]).as("acc[%s][%s]", r, c).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }
}
