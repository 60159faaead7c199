package dev.charrnn.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
    protected int gates() {
        return 4;
    }

    /** tanh(c), reused by the backward step. */
    @Override
    protected int cacheWidth() {
        return 1;
    }

    @Override
    protected int stateWidth() {
        return 2;
    }

    @Override
    protected void forwardStep(INDArray gates, INDArray previous, INDArray rw, INDArray state, INDArray cache) {
        long n = cache.size(1);
        Nd4j.gemm(block(previous, 0, n), rw, gates, false, false, 1.0, 1.0);
        Transforms.sigmoid(block(gates, 0, n), false);
        Transforms.sigmoid(block(gates, 1, n), false);
        INDArray g = Transforms.tanh(block(gates, 2, n), false);
        INDArray o = Transforms.sigmoid(block(gates, 3, n), false);
        INDArray c = block(state, 1, n);
        c.assign(block(gates, 1, n).mul(block(previous, 1, n))).addi(block(gates, 0, n).mul(g));
        cache.assign(c);
        Transforms.tanh(cache, false);
        block(state, 0, n).assign(o.mul(cache));
    }

    @Override
    protected INDArray backwardStep(INDArray dState, INDArray previous, INDArray state, INDArray gates, INDArray cache,
                                    INDArray rw, INDArray dProjection, INDArray dRw) {
        long n = cache.size(1);
        INDArray i = block(gates, 0, n);
        INDArray f = block(gates, 1, n);
        INDArray g = block(gates, 2, n);
        INDArray o = block(gates, 3, n);
        INDArray dh = block(dState, 0, n);
        INDArray dc = block(dState, 1, n);                              // becomes dL/dc_t in total
        dc.addi(dh.mul(o).muli(cache.mul(cache).rsubi(1.0)));

        block(dProjection, 0, n).assign(dc.mul(g).muli(i).muli(i.rsub(1.0)));
        block(dProjection, 1, n).assign(dc.mul(block(previous, 1, n)).muli(f).muli(f.rsub(1.0)));
        block(dProjection, 2, n).assign(dc.mul(i).muli(g.mul(g).rsubi(1.0)));
        block(dProjection, 3, n).assign(dh.mul(cache).muli(o).muli(o.rsub(1.0)));

        Nd4j.gemm(block(previous, 0, n), dProjection, dRw, true, false, 1.0, 1.0);
        return Nd4j.hstack(Nd4j.gemm(dProjection, rw, false, true), dc.mul(f));
    }
}
