package dev.charrnn.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

import dev.charrnn.model.inference.Kernels;

/**
 * Vanilla (Elman) recurrence h = tanh(x W + h' R + b): the cell whose gradient vanishes or
 * explodes through time. Replaces DL4J's SimpleRnn, whose truncated-BPTT backward pass restarts
 * from a zero state instead of the carried one.
 */
public class TanhRnnLayerImpl extends FusedRecurrentLayer<TanhRnnLayer> {

    public TanhRnnLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public FloatCell floatCell() {
        return FLOAT_MATH;
    }

    private static final FloatCell FLOAT_MATH = new FloatCell() {
        @Override
        public boolean backwardOnlyThroughRecurrence() {
            return true;
        }

        @Override
        public void forward(int rows, int n, float[][] a, float[][] recurrent, float[][] before, float[][] after,
                            float[][] cache) {
            for (int r = 0; r < rows; r++) {
                Kernels.tanh(a[r], 0, n);
                System.arraycopy(a[r], 0, after[r], 0, n);
            }
        }

        @Override
        public void backward(int rows, int n, float[][] d, float[][] before, float[][] activation, float[][] cache,
                             float[][] dProjection, float[][] dRecurrent, float[][] dBefore) {
            for (int r = 0; r < rows; r++) {
                float[] h = activation[r];
                float[] dh = d[r];
                float[] out = dProjection[r];
                for (int k = 0; k < n; k++) {
                    out[k] = dh[k] * (1 - h[k] * h[k]); // tanh' = 1 - h^2
                }
            }
        }
    };

    @Override
    public int gates() {
        return 1;
    }

    @Override
    public int cacheWidth() {
        return 0;
    }

    @Override
    public void forwardStep(int batch, int n, double[] a, double[] recurrent, double[] before,
                            double[] after, double[] cache) {
        for (int b = 0; b < batch; b++) {
            HostBuffers.tanh(a, n * b, n * b + n);
            System.arraycopy(a, n * b, after, n * b, n);
        }
    }

    @Override
    public void backwardStep(int batch, int n, double[] d, double[] before, double[] activation,
                             double[] cache, double[] dProjection, double[] dRecurrent, double[] dBefore) {
        for (int b = 0; b < batch; b++) {
            for (int k = n * b; k < n * b + n; k++) {
                dProjection[k] = d[k] * (1 - activation[k] * activation[k]); // tanh' = 1 - h^2
            }
        }
    }
}
