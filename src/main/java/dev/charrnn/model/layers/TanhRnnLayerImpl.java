package dev.charrnn.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
    protected void forwardStep(INDArray gates, INDArray hPrev, INDArray rw, INDArray h, INDArray cache) {
        Blas.gemm(hPrev, false, rw, false, gates, 1.0, 1.0);
        double[] a = host.read(gates, 0);
        HostBuffers.tanh(a, 0, (int) gates.length());
        host.write(a, gates);
        host.write(a, h);
    }

    @Override
    protected INDArray backwardStep(INDArray dh, INDArray hPrev, INDArray h, INDArray gates, INDArray cache,
                                    INDArray rw, INDArray dProjection, INDArray dRecurrent) {
        double[] activation = host.read(gates, 0);
        double[] d = host.read(dh, 1);
        int length = (int) gates.length();
        for (int k = 0; k < length; k++) {
            d[k] *= 1 - activation[k] * activation[k]; // tanh' = 1 - h^2
        }
        host.write(d, dProjection);
        return Blas.gemm(dProjection, false, rw, true);
    }
}
