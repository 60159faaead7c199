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
 * Long short-term memory without peepholes, gates ordered [input | forget | cell | output]:
 * <pre>
 *   i = sigmoid(.)  f = sigmoid(.)  g = tanh(.)  o = sigmoid(.)     (each of x W + h' R + b)
 *   c = f * c' + i * g                h = o * tanh(c)
 * </pre>
 * The state is [h | c]; the cache is tanh(c). Replaces DL4J's LSTM because that one's
 * truncated-BPTT gradients restart from a zero state while its forward pass starts from the
 * carried one. Backward, with dc = dL/dc + dL/dh * o * (1 - tanh(c)^2):
 * <pre>
 *   dL/d(i, f, g) = dc * (g i (1-i), c' f (1-f), i (1-g^2))    dL/do = dL/dh * tanh(c) o (1-o)    dL/dc' = dc * f
 * </pre>
 */
public class LstmLayerImpl extends FusedRecurrentLayer<LstmLayer> {

    private static final FloatCell HOST_MATH = new HostMath();
    private static final OpsCell OPS_MATH = new OpsMath();

    public LstmLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

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

    /** i, f and o are sigmoids, the candidate g a tanh. */
    @Override
    protected List<CellActivations.Gate> gateActivations(INDArray gates, INDArray hidden, long n) {
        return List.of(new CellActivations.Gate("i", true, block(gates, 0, n)),
                new CellActivations.Gate("f", true, block(gates, 1, n)),
                new CellActivations.Gate("g", false, block(gates, 2, n)),
                new CellActivations.Gate("o", true, block(gates, 3, n)));
    }

    @Override
    public FloatCell floatCell() {
        return HOST_MATH;
    }

    @Override
    public OpsCell opsCell() {
        return OPS_MATH;
    }

    /** The step in float on host rows (gate blocks i, f, g, o; the state is [h | c]). */
    private static final class HostMath implements FloatCell {
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
    }

    /** The step as ND4J operations. Factors: [g i (1-i) | c' f (1-f) | i (1-g^2) | tanh(c) o (1-o) | o (1-tanh(c)^2)]. */
    private static final class OpsMath implements OpsCell {
        @Override
        public void forward(long n, RowBlock gates, RowBlock recurrent, RowBlock previous, RowBlock state,
                            RowBlock tanhCell) {
            INDArray inputAndForget = gates.blocks(0, 2, n);
            Nd4j.exec(new Sigmoid(inputAndForget, inputAndForget));
            INDArray g = gates.blocks(2, 1, n);
            Nd4j.exec(new Tanh(g, g));
            INDArray o = gates.blocks(3, 1, n);
            Nd4j.exec(new Sigmoid(o, o));
            INDArray h = state.blocks(0, 1, n);
            INDArray c = state.blocks(1, 1, n);
            INDArray t = tanhCell.all();
            gates.blocks(1, 1, n).muli(previous.blocks(1, 1, n), c);
            gates.blocks(0, 1, n).muli(g, h); // h holds i * g until the end of the step
            c.addi(h, c);
            Nd4j.exec(new Tanh(c, t));
            o.muli(t, h);
        }

        @Override
        public int factorWidth() {
            return 5;
        }

        @Override
        public void factors(long n, RowBlock gates, RowBlock previous, RowBlock states, RowBlock tanhCell,
                            RowBlock factors) {
            INDArray a = gates.all();
            INDArray slopes = factors.blocks(0, 4, n);
            a.rsub(1.0, slopes).muli(a, slopes); // a (1 - a) for every gate
            INDArray i = gates.blocks(0, 1, n);
            INDArray g = gates.blocks(2, 1, n);
            INDArray o = gates.blocks(3, 1, n);
            INDArray t = tanhCell.all();
            INDArray inputFactor = factors.blocks(0, 1, n);
            inputFactor.muli(g, inputFactor);
            INDArray forgetFactor = factors.blocks(1, 1, n);
            forgetFactor.muli(previous.blocks(1, 1, n), forgetFactor);
            INDArray cellFactor = factors.blocks(2, 1, n);
            g.muli(g, cellFactor).rsubi(1.0).muli(i, cellFactor);
            INDArray outputGateFactor = factors.blocks(3, 1, n);
            outputGateFactor.muli(t, outputGateFactor);
            INDArray outputFactor = factors.blocks(4, 1, n);
            t.muli(t, outputFactor).rsubi(1.0).muli(o, outputFactor);
        }

        @Override
        public void backward(long n, BackwardStep s) {
            INDArray dh = s.dOutput();
            INDArray dc = s.dRest();
            INDArray dPreviousCell = s.dPreviousRest();
            dh.muli(s.factors().blocks(4, 1, n), dPreviousCell); // scratch until the last line
            dc.addi(dPreviousCell, dc);
            RowBlock.byBlock(s.factors().blocks(0, 3, n), n).muli(dc.reshape('c', true, dc.size(0), 1, n),
                    RowBlock.byBlock(s.dProjection().blocks(0, 3, n), n));
            dh.muli(s.factors().blocks(3, 1, n), s.dProjection().blocks(3, 1, n));
            dc.muli(s.gates().blocks(1, 1, n), dPreviousCell);
        }
    }
}
