package dev.charrnn.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

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
    protected int gates() {
        return 1;
    }

    @Override
    protected int cacheWidth() {
        return 0;
    }

    @Override
    protected void forwardStep(int batch, int n, double[] a, double[] recurrent, double[] before, double[] after,
                               double[] cache) {
        int length = batch * n;
        HostBuffers.tanh(a, 0, length);
        System.arraycopy(a, 0, after, 0, length);
    }

    @Override
    protected void backwardStep(int batch, int n, double[] d, double[] before, double[] activation, double[] cache,
                                double[] dProjection, double[] dRecurrent, double[] dBefore) {
        int length = batch * n;
        for (int k = 0; k < length; k++) {
            dProjection[k] = d[k] * (1 - activation[k] * activation[k]); // tanh' = 1 - h^2
        }
    }
}
