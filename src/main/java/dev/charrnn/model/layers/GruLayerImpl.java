package dev.charrnn.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
    protected boolean separateRecurrentGradient() {
        return true;
    }

    @Override
    protected void forwardStep(INDArray gates, INDArray hPrev, INDArray rw, INDArray h, INDArray cache) {
        int n = (int) h.size(1);
        int batch = (int) h.size(0);
        double[] a = host.read(gates, 0);
        double[] recurrent = host.read(Blas.gemm(hPrev, false, rw, false), 1);
        double[] before = host.read(hPrev, 2);
        double[] after = host.scratch(3, (long) batch * n);
        double[] candidateRecurrent = host.scratch(4, (long) batch * n);
        for (int b = 0; b < batch; b++) {
            int g0 = 3 * n * b;
            for (int k = g0; k < g0 + 2 * n; k++) {
                a[k] += recurrent[k];
            }
            HostBuffers.sigmoid(a, g0, g0 + 2 * n);                   // reset, update
            for (int j = 0; j < n; j++) {
                double rc = recurrent[g0 + 2 * n + j];
                candidateRecurrent[n * b + j] = rc;
                a[g0 + 2 * n + j] += rc * a[g0 + j];
            }
            HostBuffers.tanh(a, g0 + 2 * n, g0 + 3 * n);              // candidate
            for (int j = 0; j < n; j++) {
                double candidate = a[g0 + 2 * n + j];
                after[n * b + j] = (before[n * b + j] - candidate) * a[g0 + n + j] + candidate;
            }
        }
        host.write(a, gates);
        host.write(after, h);
        host.write(candidateRecurrent, cache);
    }

    @Override
    protected INDArray backwardStep(INDArray dh, INDArray hPrev, INDArray h, INDArray gates, INDArray cache,
                                    INDArray rw, INDArray dProjection, INDArray dRecurrentProduct) {
        int n = (int) h.size(1);
        int batch = (int) h.size(0);
        double[] a = host.read(gates, 0);
        double[] before = host.read(hPrev, 1);
        double[] d = host.read(dh, 2);
        double[] candidateRecurrent = host.read(cache, 3);
        double[] dGates = host.scratch(4, 3L * batch * n);
        double[] dRecurrent = host.scratch(5, 3L * batch * n);
        double[] dBefore = host.scratch(6, (long) batch * n);
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
        host.write(dGates, dProjection);
        host.write(dRecurrent, dRecurrentProduct);
        INDArray dhPrev = fromHost(dBefore, batch, n);
        Blas.gemm(dRecurrentProduct, false, rw, true, dhPrev, 1.0, 1.0);
        return dhPrev;
    }
}
