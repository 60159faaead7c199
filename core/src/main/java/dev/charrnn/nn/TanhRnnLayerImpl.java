package dev.charrnn.nn;

import java.util.List;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

import dev.charrnn.nn.cpu.Kernels;

/**
 * Vanilla (Elman) recurrence h = tanh(x W + h' R + b): the cell whose gradient vanishes or
 * explodes through time. Replaces DL4J's SimpleRnn, whose truncated-BPTT backward pass restarts
 * from a zero state instead of the carried one.
 */
public class TanhRnnLayerImpl extends FusedRecurrentLayer<TanhRnnLayer> {

    private static final FloatCell HOST_MATH = new HostMath();
    private static final OpsCell OPS_MATH = new OpsMath();

    public TanhRnnLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public int gates() {
        return 1;
    }

    @Override
    public int cacheWidth() {
        return 0;
    }

    /** The one gate is the output h = tanh(.) itself (the ops path keeps the pre-activation in the gate array). */
    @Override
    protected List<CellActivations.Gate> gateActivations(INDArray gates, INDArray hidden, long n) {
        return List.of(new CellActivations.Gate("h", false, hidden));
    }

    @Override
    public FloatCell floatCell() {
        return HOST_MATH;
    }

    @Override
    public OpsCell opsCell() {
        return OPS_MATH;
    }

    /** The step in float on host rows. */
    private static final class HostMath implements FloatCell {
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
    }

    /** The step as ND4J operations; the gates keep x W + h' R + b, the state is h. */
    private static final class OpsMath implements OpsCell {
        @Override
        public void forward(long n, RowBlock gates, RowBlock recurrent, RowBlock previous, RowBlock state,
                            RowBlock cache) {
            Nd4j.exec(new Tanh(gates.all(), state.all()));
        }

        /** tanh' = 1 - h^2. */
        @Override
        public int factorWidth() {
            return 1;
        }

        @Override
        public void factors(long n, RowBlock gates, RowBlock previous, RowBlock states, RowBlock cache,
                            RowBlock factors) {
            INDArray h = states.all();
            h.muli(h, factors.all()).rsubi(1.0);
        }

        @Override
        public void backward(long n, BackwardStep step) {
            step.dOutput().muli(step.factors().all(), step.dProjection().all());
        }
    }
}
