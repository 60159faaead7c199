package dev.charrnn.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
        Nd4j.gemm(hPrev, rw, gates, false, false, 1.0, 1.0);
        h.assign(Transforms.tanh(gates, false));
    }

    @Override
    protected INDArray backwardStep(INDArray dh, INDArray hPrev, INDArray h, INDArray gates, INDArray cache,
                                    INDArray rw, INDArray dProjection, INDArray dRw) {
        dProjection.assign(gates.mul(gates).rsubi(1.0).muli(dh)); // tanh' = 1 - h^2
        Nd4j.gemm(hPrev, dProjection, dRw, true, false, 1.0, 1.0);
        return Nd4j.gemm(dProjection, rw, false, true);
    }
}
