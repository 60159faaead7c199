package dev.charrnn.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

import dev.charrnn.model.inference.Kernels;

/**
 * Gated recurrent unit (Cho et al. 2014), gates ordered [reset | update | candidate], reset applied
 * after the recurrent product (the cuDNN / PyTorch form, and ND4J's {@code gru} op):
 * <pre>
 *   r = sigmoid(x Wr + h' Rr + br)      u = sigmoid(x Wu + h' Ru + bu)
 *   c = tanh(x Wc + bc + r * (h' Rc))   h = u * h' + (1 - u) * c
 * </pre>
 * The backward pass is written here (ND4J M2.1's gru_bp gets the reset-gate gradients wrong).
 */
public class GruLayerImpl extends FusedRecurrentLayer<GruLayer> {

    public GruLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public int gates() {
        return 3;
    }

    /** h' Rc, the candidate's recurrent term before the reset gate scales it. */
    @Override
    public int cacheWidth() {
        return 1;
    }

    @Override
    public FloatCell floatCell() {
        return FLOAT_MATH;
    }

    /** The step math below, in float on rows (gate blocks reset, update, candidate). */
    private static final FloatCell FLOAT_MATH = new FloatCell() {
        @Override
        public void forward(int rows, int n, float[][] gates, float[][] recurrent, float[][] before, float[][] after,
                            float[][] candidateRecurrent) {
            for (int r = 0; r < rows; r++) {
                float[] a = gates[r];
                float[] rw = recurrent[r];
                float[] kept = candidateRecurrent[r];
                for (int k = 0; k < 2 * n; k++) {
                    a[k] += rw[k];
                }
                Kernels.sigmoid(a, 0, 2 * n);
                for (int j = 0; j < n; j++) {
                    kept[j] = rw[2 * n + j];
                    a[2 * n + j] += rw[2 * n + j] * a[j];
                }
                Kernels.tanh(a, 2 * n, 3 * n);
                for (int j = 0; j < n; j++) {
                    float candidate = a[2 * n + j];
                    after[r][j] = (before[r][j] - candidate) * a[n + j] + candidate;
                }
            }
        }

        @Override
        public void backward(int rows, int n, float[][] dState, float[][] before, float[][] gates,
                             float[][] candidateRecurrent, float[][] dGates, float[][] dRecurrent, float[][] dBefore) {
            for (int r = 0; r < rows; r++) {
                float[] a = gates[r];
                float[] dA = dGates[r];
                float[] dR = dRecurrent[r];
                for (int j = 0; j < n; j++) {
                    float reset = a[j];
                    float update = a[n + j];
                    float candidate = a[2 * n + j];
                    float dOut = dState[r][j];
                    float dCandidate = (1 - update) * dOut * (1 - candidate * candidate);
                    float dUpdate = (before[r][j] - candidate) * dOut * update * (1 - update);
                    float dReset = dCandidate * candidateRecurrent[r][j] * reset * (1 - reset);
                    dA[j] = dReset;
                    dA[n + j] = dUpdate;
                    dA[2 * n + j] = dCandidate;
                    dR[j] = dReset;
                    dR[n + j] = dUpdate;
                    dR[2 * n + j] = dCandidate * reset;
                    dBefore[r][j] = dOut * update;
                }
            }
        }
    };

    @Override
    public boolean separateRecurrentGradient() {
        return true;
    }

    @Override
    public void forwardStep(int batch, int n, double[] a, double[] recurrent, double[] before,
                            double[] after, double[] candidateRecurrent) {
        for (int b = 0; b < batch; b++) {
            int g0 = 3 * n * b;
            for (int k = g0; k < g0 + n; k++) {
                a[k] += recurrent[k];
                a[k + n] += recurrent[k + n];
            }
            HostBuffers.sigmoid(a, g0, g0 + n);  // reset
            HostBuffers.sigmoid(a, g0 + n, g0 + 2 * n);  // update
            for (int j = 0; j < n; j++) {
                double rc = recurrent[g0 + 2 * n + j];
                candidateRecurrent[n * b + j] = rc;
                a[g0 + 2 * n + j] += rc * a[g0 + j];
            }
            HostBuffers.tanh(a, g0 + 2 * n, g0 + 3 * n);  // candidate
            for (int j = 0; j < n; j++) {
                double candidate = a[g0 + 2 * n + j];
                after[n * b + j] = (before[n * b + j] - candidate) * a[g0 + n + j] + candidate;
            }
        }
    }

    @Override
    public void backwardStep(int batch, int n, double[] d, double[] before, double[] a,
                             double[] candidateRecurrent, double[] dGates, double[] dRecurrent, double[] dBefore) {
        for (int b = 0; b < batch; b++) {
            int g0 = 3 * n * b;
            for (int j = 0; j < n; j++) {
                double reset = a[g0 + j];
                double update = a[g0 + n + j];
                double candidate = a[g0 + 2 * n + j];
                double dOut = d[n * b + j];
                double dCandidate = (1 - update) * dOut * (1 - candidate * candidate);
                double dUpdate = (before[n * b + j] - candidate) * dOut * update * (1 - update);
                double dReset = dCandidate * candidateRecurrent[n * b + j] * reset * (1 - reset);
                dGates[g0 + j] = dReset;
                dGates[g0 + n + j] = dUpdate;
                dGates[g0 + 2 * n + j] = dCandidate;
                dRecurrent[g0 + j] = dReset;                       // dL/d(h' RW): the candidate block
                dRecurrent[g0 + n + j] = dUpdate;                  // passes through the reset gate
                dRecurrent[g0 + 2 * n + j] = dCandidate * reset;
                dBefore[n * b + j] = dOut * update;
            }
        }
    }
}
