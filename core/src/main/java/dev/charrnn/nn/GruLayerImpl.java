package dev.charrnn.nn;

import java.util.List;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

import dev.charrnn.nn.cpu.Kernels;

/**
 * Gated recurrent unit (Cho et al. 2014), gates ordered [reset | update | candidate], reset applied
 * after the recurrent product (the cuDNN / PyTorch form, and ND4J's {@code gru} op):
 * <pre>
 *   r = sigmoid(x Wr + h' Rr + br)      u = sigmoid(x Wu + h' Ru + bu)
 *   c = tanh(x Wc + bc + r * (h' Rc))   h = u * h' + (1 - u) * c
 * </pre>
 * The cache is h' Rc. The backward pass is written here (ND4J M2.1's gru_bp gets the reset-gate
 * gradients wrong). With dc = dL/dh (1 - u)(1 - c^2):
 * <pre>
 *   dL/dc = dc   dL/du = dL/dh (h' - c) u (1-u)   dL/dr = dc (h' Rc) r (1-r)
 *   dL/d(h' R) = (dL/dr, dL/du, dc * r)            dL/dh' = dL/dh * u + dL/d(h' R) R^T
 * </pre>
 */
public class GruLayerImpl extends FusedRecurrentLayer<GruLayer> {

    private static final FloatCell HOST_MATH = new HostMath();
    private static final OpsCell OPS_MATH = new OpsMath();

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
    public boolean separateRecurrentGradient() {
        return true;
    }

    /** r and u are sigmoids, the candidate c a tanh. */
    @Override
    protected List<CellActivations.Gate> gateActivations(INDArray gates, INDArray hidden, long n) {
        return List.of(new CellActivations.Gate("r", true, block(gates, 0, n)),
                new CellActivations.Gate("u", true, block(gates, 1, n)),
                new CellActivations.Gate("c", false, block(gates, 2, n)));
    }

    @Override
    public FloatCell floatCell() {
        return HOST_MATH;
    }

    @Override
    public OpsCell opsCell() {
        return OPS_MATH;
    }

    /** The step in float on host rows (gate blocks reset, update, candidate). */
    private static final class HostMath implements FloatCell {
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
    }

    /**
     * The step as ND4J operations. Factors, each a multiple of dL/dh:
     * [(1-u)(1-c^2) (h' Rc) r (1-r) | (h' - c) u (1-u) | (1-u)(1-c^2) | (1-u)(1-c^2) r].
     */
    private static final class OpsMath implements OpsCell {
        @Override
        public void forward(long n, RowBlock gates, RowBlock recurrent, RowBlock previous, RowBlock state,
                            RowBlock candidateRecurrent) {
            INDArray resetAndUpdate = gates.blocks(0, 2, n);
            resetAndUpdate.addi(recurrent.blocks(0, 2, n), resetAndUpdate);
            Nd4j.exec(new Sigmoid(resetAndUpdate, resetAndUpdate));
            INDArray hRc = recurrent.blocks(2, 1, n);
            candidateRecurrent.all().assign(hRc);
            INDArray candidate = gates.blocks(2, 1, n);
            INDArray h = state.all();
            hRc.muli(gates.blocks(0, 1, n), h); // h holds r * (h' Rc) until the last line
            candidate.addi(h, candidate);
            Nd4j.exec(new Tanh(candidate, candidate));
            previous.all().subi(candidate, h).muli(gates.blocks(1, 1, n), h).addi(candidate, h);
        }

        @Override
        public int factorWidth() {
            return 4;
        }

        @Override
        public void factors(long n, RowBlock gates, RowBlock previous, RowBlock states, RowBlock candidateRecurrent,
                            RowBlock factors) {
            INDArray r = gates.blocks(0, 1, n);
            INDArray u = gates.blocks(1, 1, n);
            INDArray c = gates.blocks(2, 1, n);
            INDArray reset = factors.blocks(0, 1, n);
            INDArray update = factors.blocks(1, 1, n);
            INDArray candidate = factors.blocks(2, 1, n);
            INDArray candidateRecurrentFactor = factors.blocks(3, 1, n);
            u.rsub(1.0, update);
            c.muli(c, candidate).rsubi(1.0).muli(update, candidate);
            update.muli(u, update);
            previous.all().subi(c, candidateRecurrentFactor).muli(update, update); // h' - c, replaced below
            r.rsub(1.0, reset).muli(r, reset).muli(candidateRecurrent.all(), reset).muli(candidate, reset);
            candidate.muli(r, candidateRecurrentFactor);
        }

        @Override
        public boolean carriesOutputGradient() {
            return true;
        }

        @Override
        public void backward(long n, BackwardStep s) {
            INDArray dh = s.dOutput();
            RowBlock.byBlock(s.factors().blocks(0, 3, n), n).muli(dh.reshape('c', true, dh.size(0), 1, n),
                    RowBlock.byBlock(s.dProjection().all(), n));
            s.dRecurrent().blocks(0, 2, n).assign(s.dProjection().blocks(0, 2, n));
            dh.muli(s.factors().blocks(3, 1, n), s.dRecurrent().blocks(2, 1, n));
            dh.muli(s.gates().blocks(1, 1, n), s.dPreviousOutput());
        }
    }
}
