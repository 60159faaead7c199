package dev.charrnn.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

import dev.charrnn.model.inference.Kernels;

/**
 * Long short-term memory without peepholes, gates ordered [input | forget | cell | output]:
 * <pre>
 *   i = sigmoid(.)  f = sigmoid(.)  g = tanh(.)  o = sigmoid(.)     (each of x W + h' R + b)
 *   c = f * c' + i * g                h = o * tanh(c)
 * </pre>
 * The state is [h | c]. Replaces DL4J's LSTM because that one's truncated-BPTT gradients restart
 * from a zero state while its forward pass starts from the carried one.
 */
public class LstmLayerImpl extends FusedRecurrentLayer<LstmLayer> {

    public LstmLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public FloatCell floatCell() {
        return FLOAT_MATH;
    }

    /** The step math below, in float on rows (gate blocks i, f, g, o; the state is [h | c]). */
    private static final FloatCell FLOAT_MATH = new FloatCell() {
        @Override
        public void forward(int rows, int n, float[][] gates, float[][] recurrent, float[][] before, float[][] after,
                            float[][] tanhCell) {
            for (int r = 0; r < rows; r++) {
                float[] a = gates[r];
                float[] previous = before[r];
                float[] state = after[r];
                float[] t = tanhCell[r];
                Kernels.sigmoid(a, 0, 2 * n);
                Kernels.tanh(a, 2 * n, 3 * n);
                Kernels.sigmoid(a, 3 * n, 4 * n);
                for (int j = 0; j < n; j++) {
                    float c = a[n + j] * previous[n + j] + a[j] * a[2 * n + j];
                    state[n + j] = c;
                    t[j] = c;
                }
                Kernels.tanh(t, 0, n);
                for (int j = 0; j < n; j++) {
                    state[j] = a[3 * n + j] * t[j];
                }
            }
        }

        @Override
        public void backward(int rows, int n, float[][] dState, float[][] before, float[][] gates, float[][] tanhCell,
                             float[][] dGates, float[][] dRecurrent, float[][] dBefore) {
            for (int r = 0; r < rows; r++) {
                float[] a = gates[r];
                float[] d = dState[r];
                float[] dA = dGates[r];
                for (int j = 0; j < n; j++) {
                    float i = a[j];
                    float f = a[n + j];
                    float g = a[2 * n + j];
                    float o = a[3 * n + j];
                    float t = tanhCell[r][j];
                    float dh = d[j];
                    float dc = d[n + j] + dh * o * (1 - t * t);
                    dA[j] = dc * g * i * (1 - i);
                    dA[n + j] = dc * before[r][n + j] * f * (1 - f);
                    dA[2 * n + j] = dc * i * (1 - g * g);
                    dA[3 * n + j] = dh * t * o * (1 - o);
                    dBefore[r][n + j] = dc * f;
                }
            }
        }
    };

    @Override
    public int gates() {
        return 4;
    }

    /** tanh(c), reused by the backward step. */
    @Override
    public int cacheWidth() {
        return 1;
    }

    @Override
    public int stateWidth() {
        return 2;
    }

    @Override
    public void forwardStep(int batch, int n, double[] a, double[] recurrent, double[] before,
                            double[] after, double[] tanhCell) {
        for (int b = 0; b < batch; b++) {
            int g0 = 4 * n * b;
            int s0 = 2 * n * b;
            HostBuffers.sigmoid(a, g0, g0 + n);  // i
            HostBuffers.sigmoid(a, g0 + n, g0 + 2 * n);  // f
            HostBuffers.tanh(a, g0 + 2 * n, g0 + 3 * n);  // g
            HostBuffers.sigmoid(a, g0 + 3 * n, g0 + 4 * n);  // o
            for (int j = 0; j < n; j++) {
                double c = a[g0 + n + j] * before[s0 + n + j] + a[g0 + j] * a[g0 + 2 * n + j];
                after[s0 + n + j] = c;
                tanhCell[n * b + j] = c;
            }
            HostBuffers.tanh(tanhCell, n * b, n * b + n);
            for (int j = 0; j < n; j++) {
                after[s0 + j] = a[g0 + 3 * n + j] * tanhCell[n * b + j];
            }
        }
    }

    @Override
    public void backwardStep(int batch, int n, double[] d, double[] before, double[] a,
                             double[] tanhCell, double[] dGates, double[] dRecurrent, double[] dBefore) {
        for (int b = 0; b < batch; b++) {
            int g0 = 4 * n * b;
            int s0 = 2 * n * b;
            for (int j = 0; j < n; j++) {
                double i = a[g0 + j];
                double f = a[g0 + n + j];
                double g = a[g0 + 2 * n + j];
                double o = a[g0 + 3 * n + j];
                double t = tanhCell[n * b + j];
                double dh = d[s0 + j];
                double dc = d[s0 + n + j] + dh * o * (1 - t * t);   // dL/dc_t in total
                dGates[g0 + j] = dc * g * i * (1 - i);
                dGates[g0 + n + j] = dc * before[s0 + n + j] * f * (1 - f);
                dGates[g0 + 2 * n + j] = dc * i * (1 - g * g);
                dGates[g0 + 3 * n + j] = dh * t * o * (1 - o);
                dBefore[s0 + n + j] = dc * f;                       // dL/dh_{t-1} comes through RW
            }
        }
    }
}
