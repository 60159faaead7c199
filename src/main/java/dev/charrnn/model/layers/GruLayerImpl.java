package dev.charrnn.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
    protected int gates() {
        return 3;
    }

    /** h' Rc, the candidate's recurrent term before the reset gate scales it. */
    @Override
    protected int cacheWidth() {
        return 1;
    }

    @Override
    protected void forwardStep(INDArray gates, INDArray hPrev, INDArray rw, INDArray h, INDArray cache) {
        long n = h.size(1);
        INDArray recurrent = Nd4j.gemm(hPrev, rw, false, false);
        INDArray r = block(gates, 0, n);
        INDArray u = block(gates, 1, n);
        INDArray c = block(gates, 2, n);
        INDArray candidateRecurrent = block(recurrent, 2, n);
        Transforms.sigmoid(r.addi(block(recurrent, 0, n)), false);
        Transforms.sigmoid(u.addi(block(recurrent, 1, n)), false);
        cache.assign(candidateRecurrent);
        Transforms.tanh(c.addi(candidateRecurrent.muli(r)), false);
        h.assign(hPrev).subi(c).muli(u).addi(c); // c + u * (h' - c)
    }

    @Override
    protected INDArray backwardStep(INDArray dh, INDArray hPrev, INDArray h, INDArray gates, INDArray cache,
                                    INDArray rw, INDArray dProjection, INDArray dRw) {
        long n = h.size(1);
        INDArray r = block(gates, 0, n);
        INDArray u = block(gates, 1, n);
        INDArray c = block(gates, 2, n);
        INDArray dr = block(dProjection, 0, n);
        INDArray du = block(dProjection, 1, n);
        INDArray dc = block(dProjection, 2, n);

        dc.assign(u.rsub(1.0).muli(dh).muli(c.mul(c).rsubi(1.0)));    // dL/d(candidate pre-activation)
        du.assign(hPrev.sub(c).muli(dh).muli(u).muli(u.rsub(1.0)));   // dL/d(update pre-activation)
        dr.assign(dc.mul(cache).muli(r).muli(r.rsub(1.0)));           // dL/d(reset pre-activation)

        INDArray dRecurrent = dProjection.dup();                        // dL/d(h' RW): the candidate block
        block(dRecurrent, 2, n).muli(r);                                // passes through the reset gate
        Nd4j.gemm(hPrev, dRecurrent, dRw, true, false, 1.0, 1.0);
        INDArray dhPrev = dh.mul(u);
        Nd4j.gemm(dRecurrent, rw, dhPrev, false, true, 1.0, 1.0);
        return dhPrev;
    }
}
