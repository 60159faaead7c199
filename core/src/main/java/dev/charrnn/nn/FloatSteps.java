package dev.charrnn.nn;

import java.util.Arrays;

import dev.charrnn.nn.cpu.HostBuffers;
import dev.charrnn.nn.cpu.Kernels;

/**
 * The step loops of {@link Recurrence} for one part's batch rows (float passes without a mask):
 * rows stay float from ND4J's buffers to the cell's math and back, and the recurrent products
 * add into them in place. (The double loops convert every value on the way in and out, which
 * cost a vanilla RNN as much as its products.)
 */
final class FloatSteps {

    private static final int STATE_A = 0, STATE_B = 1, GATES = 2, RECURRENT = 3, CACHE = 4, D_STATE = 5,
            D_OUTPUT = 6, PREVIOUS = 7, D_PROJECTION = 8, D_RECURRENT = 9, D_PREVIOUS = 10;

    private final RecurrentCell cell;
    private final FloatCell math;

    FloatSteps(RecurrentCell cell, FloatCell math) {
        this.cell = cell;
        this.math = math;
    }

    /** Forward over every step for rows [from, from + count); {@code rw} is RW [n, gates*n] as float rows. */
    void forward(Recurrence.Shape s, Recurrence.Buffers buffers, float[] bias, boolean keep, float[][] rw, int from,
                 int count, HostBuffers host) {
        ForwardRows rows = new ForwardRows(s, buffers, bias, keep, rw, from, count, host);
        for (int t = 0; t < s.steps(); t++) {
            rows.step(t);
        }
    }

    /**
     * Backward over steps {@code steps-1 .. end} for rows [from, from + count), adding dL/db into
     * {@code dBias} and, when {@code squares} is not null, ||dL/dh_t||^2 of the first row into
     * {@code squares[t]}; {@code rwT} is RW^T as float rows.
     */
    void backward(Recurrence.Shape s, int end, Recurrence.Buffers pass, Recurrence.Gradients d, float[][] rwT,
                  double[] dBias, double[] squares, int from, int count, HostBuffers host) {
        BackwardRows rows = new BackwardRows(s, pass, d, rwT, dBias, from == 0 ? squares : null, from, count, host);
        for (int t = s.steps() - 1; t >= end; t--) {
            rows.step(t);
        }
    }

    /*
     * One step is a method of its own, called once per step, so the JIT compiles it as a method
     * within the first iterations. A loop over the steps inside one method was compiled on the
     * stack first and as a method only later: for an RNN, C2 spent 1.5 s on the backward loop in
     * three compilations and 0.6 s on the forward loop in two, the last ones during the benchmark's
     * timed window (iterations 5-55); now 0.75 s and 0.33 s, done before it.
     */

    /** A forward pass's state for one part's rows. */
    private final class ForwardRows {
        private final Recurrence.Shape s;
        private final Recurrence.Buffers buffers;
        private final float[] bias;
        private final boolean keep;
        private final float[][] rw;
        private final int from;
        private final int count;
        private final float[][] gates;
        private final float[][] recurrent;
        private final float[][] cache;
        private float[][] previous;
        private float[][] state;

        ForwardRows(Recurrence.Shape s, Recurrence.Buffers buffers, float[] bias, boolean keep, float[][] rw, int from,
                    int count, HostBuffers host) {
            this.s = s;
            this.buffers = buffers;
            this.bias = bias;
            this.keep = keep;
            this.rw = rw;
            this.from = from;
            this.count = count;
            int width = cell.stateWidth() * s.n();
            int gateWidth = cell.gates() * s.n();
            previous = HostBuffers.readRows(buffers.start().rows(from, count), host.floatMatrix(STATE_A, count, width));
            state = host.floatMatrix(STATE_B, count, width);
            gates = host.floatMatrix(GATES, count, gateWidth);
            recurrent = cell.separateRecurrentGradient() ? host.floatMatrix(RECURRENT, count, gateWidth) : null;
            cache = cell.cacheWidth() == 0 ? null : host.floatMatrix(CACHE, count, cell.cacheWidth() * s.n());
        }

        void step(int t) {
            int n = s.n();
            int gateWidth = cell.gates() * n;
            int first = t * s.batch() + from;
            HostBuffers.readRows(buffers.gates().rows(first, count), gates);
            if (recurrent != null) {
                zero(recurrent, count, gateWidth);
            }
            Kernels.accumulate(recurrent != null ? recurrent : gates, previous, 0, count, n, rw, 0, gateWidth);
            for (int r = 0; r < count; r++) {
                float[] row = gates[r];
                for (int c = 0; c < gateWidth; c++) {
                    row[c] += bias[c];
                }
            }
            math.forward(count, n, gates, recurrent, previous, state, cache);
            HostBuffers.writeRows(state, buffers.states().rows(first, count));
            HostBuffers.writeRows(state, buffers.output().rows(first, count)); // the output is h, the first n
            if (keep) {
                HostBuffers.writeRows(gates, buffers.gates().rows(first, count));
                if (cache != null) {
                    HostBuffers.writeRows(cache, buffers.cache().rows(first, count));
                }
            }
            float[][] swap = previous;
            previous = state;
            state = swap;
        }
    }

    /**
     * A backward pass's state for one part's rows. dL/d(state_t) is what step t+1's cell math left
     * for state_t plus dL/d(h_t RW) RW^T.
     */
    private final class BackwardRows {
        private final Recurrence.Shape s;
        private final Recurrence.Buffers pass;
        private final Recurrence.Gradients d;
        private final float[][] rwT;
        private final double[] dBias;
        private final double[] squares;
        private final int from;
        private final int count;
        private final float[][] dState;
        private final float[][] dPrevious;
        private final float[][] dProjection;
        private final float[][] dRecurrent;
        private final float[][] dOutput;
        private final float[][] previous;
        private final float[][] gates;
        private final float[][] cache;
        private final boolean onlyThroughRecurrence = math.backwardOnlyThroughRecurrence();

        BackwardRows(Recurrence.Shape s, Recurrence.Buffers pass, Recurrence.Gradients d, float[][] rwT, double[] dBias,
                     double[] squares, int from, int count, HostBuffers host) {
            this.s = s;
            this.pass = pass;
            this.d = d;
            this.rwT = rwT;
            this.dBias = dBias;
            this.squares = squares;
            this.from = from;
            this.count = count;
            int n = s.n();
            int width = cell.stateWidth() * n;
            int gateWidth = cell.gates() * n;
            dState = host.floatMatrix(D_STATE, count, width);
            dPrevious = host.floatMatrix(D_PREVIOUS, count, width);
            dProjection = host.floatMatrix(D_PROJECTION, count, gateWidth);
            dRecurrent = cell.separateRecurrentGradient() ? host.floatMatrix(D_RECURRENT, count, gateWidth) : dProjection;
            dOutput = host.floatMatrix(D_OUTPUT, count, n);
            previous = host.floatMatrix(PREVIOUS, count, width);
            gates = host.floatMatrix(GATES, count, gateWidth);
            cache = cell.cacheWidth() == 0 ? null : host.floatMatrix(CACHE, count, cell.cacheWidth() * n);
        }

        void step(int t) {
            int n = s.n();
            int b = s.batch();
            int width = cell.stateWidth() * n;
            int gateWidth = cell.gates() * n;
            int first = t * b + from;
            if (t == s.steps() - 1 || onlyThroughRecurrence) {
                zero(dState, count, width);
            } else {
                for (int r = 0; r < count; r++) {
                    System.arraycopy(dPrevious[r], 0, dState[r], 0, width);
                }
            }
            if (t < s.steps() - 1) {
                Kernels.accumulate(dState, dRecurrent, 0, count, gateWidth, rwT, 0, n); // step t+1's dL/d(h_t RW)
            }
            HostBuffers.readRows(d.epsilon().rows(first, count), dOutput);
            for (int r = 0; r < count; r++) {
                float[] target = dState[r];
                float[] source = dOutput[r];
                for (int j = 0; j < n; j++) {
                    target[j] += source[j];
                }
            }
            if (squares != null) {
                for (int j = 0; j < n; j++) {
                    squares[t] += (double) dState[0][j] * dState[0][j];
                }
            }
            if (!onlyThroughRecurrence) {
                HostBuffers.readRows(t > 0 ? pass.states().rows(first - b, count) : pass.start().rows(from, count),
                        previous);
                zero(dPrevious, count, width);
            }
            HostBuffers.readRows(pass.gates().rows(first, count), gates);
            if (cache != null) {
                HostBuffers.readRows(pass.cache().rows(first, count), cache);
            }
            math.backward(count, n, dState, previous, gates, cache, dProjection,
                    dRecurrent == dProjection ? null : dRecurrent, dPrevious);
            for (int r = 0; r < count; r++) {
                float[] row = dProjection[r];
                for (int c = 0; c < gateWidth; c++) {
                    dBias[c] += row[c];
                }
            }
            HostBuffers.writeRows(dProjection, d.dProjection().rows(first, count));
            if (dRecurrent != dProjection) {
                HostBuffers.writeRows(dRecurrent, d.dRecurrent().rows(first, count));
            }
        }
    }

    private static void zero(float[][] rows, int count, int width) {
        for (int r = 0; r < count; r++) {
            Arrays.fill(rows[r], 0, width, 0f);
        }
    }
}
