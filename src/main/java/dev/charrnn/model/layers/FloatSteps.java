package dev.charrnn.model.layers;

import java.util.Arrays;

import dev.charrnn.model.inference.Kernels;

/**
 * The step loops of {@link Recurrence} for one part's batch rows of a float pass without a mask:
 * rows stay float from ND4J's buffers to the cell's math and back, and the recurrent products
 * add into them in place. (The double loops convert every value on the way in and out, which
 * cost a vanilla RNN as much as its products.)
 */
final class FloatSteps {

    private static final int STATE_A = 0, STATE_B = 1, GATES = 2, RECURRENT = 3, CACHE = 4, D_STATE = 5,
            D_OUTPUT = 6, PREVIOUS = 7, D_PROJECTION = 8, D_RECURRENT = 9, D_PREVIOUS = 10;

    private final Recurrence.Cell cell;
    private final FloatCell math;

    FloatSteps(Recurrence.Cell cell, FloatCell math) {
        this.cell = cell;
        this.math = math;
    }

    /** Forward over every step for rows [from, from + count); {@code rw} is RW [n, gates*n] as float rows. */
    void forward(Recurrence.Shape s, Recurrence.Buffers buffers, float[] bias, boolean keep, float[][] rw, int from,
                 int count, HostBuffers host) {
        int n = s.n();
        int b = s.batch();
        int width = cell.stateWidth() * n;
        int gateWidth = cell.gates() * n;
        float[][] previous = HostBuffers.readRows(buffers.start().rows(from, count), host.floatMatrix(STATE_A, count, width));
        float[][] state = host.floatMatrix(STATE_B, count, width);
        float[][] gates = host.floatMatrix(GATES, count, gateWidth);
        float[][] recurrent = cell.separateRecurrentGradient() ? host.floatMatrix(RECURRENT, count, gateWidth) : null;
        float[][] cache = cell.cacheWidth() == 0 ? null : host.floatMatrix(CACHE, count, cell.cacheWidth() * n);
        for (int t = 0; t < s.steps(); t++) {
            int first = t * b + from;
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
     * Backward over steps {@code steps-1 .. end} for rows [from, from + count), adding dL/db into
     * {@code dBias} and, when {@code squares} is not null, ||dL/dh_t||^2 of the first row into
     * {@code squares[t]}; {@code rwT} is RW^T as float rows. dL/d(state_t) is what step t+1's cell math
     * left for state_t plus dL/d(h_t RW) RW^T.
     */
    void backward(Recurrence.Shape s, int end, Recurrence.Buffers pass, Recurrence.Gradients d, float[][] rwT,
                  double[] dBias, double[] squares, int from, int count, HostBuffers host) {
        int n = s.n();
        int b = s.batch();
        int width = cell.stateWidth() * n;
        int gateWidth = cell.gates() * n;
        float[][] dState = host.floatMatrix(D_STATE, count, width);
        float[][] dPrevious = host.floatMatrix(D_PREVIOUS, count, width);
        float[][] dProjection = host.floatMatrix(D_PROJECTION, count, gateWidth);
        float[][] dRecurrent = cell.separateRecurrentGradient() ? host.floatMatrix(D_RECURRENT, count, gateWidth)
                : dProjection;
        float[][] dOutput = host.floatMatrix(D_OUTPUT, count, n);
        float[][] previous = host.floatMatrix(PREVIOUS, count, width);
        float[][] gates = host.floatMatrix(GATES, count, gateWidth);
        float[][] cache = cell.cacheWidth() == 0 ? null : host.floatMatrix(CACHE, count, cell.cacheWidth() * n);
        for (int t = s.steps() - 1; t >= end; t--) {
            int first = t * b + from;
            if (t == s.steps() - 1) {
                zero(dState, count, width);
            } else {
                for (int r = 0; r < count; r++) {
                    System.arraycopy(dPrevious[r], 0, dState[r], 0, width);
                }
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
            if (squares != null && from == 0) {
                for (int j = 0; j < n; j++) {
                    squares[t] += (double) dState[0][j] * dState[0][j];
                }
            }
            HostBuffers.readRows(t > 0 ? pass.states().rows(first - b, count) : pass.start().rows(from, count), previous);
            HostBuffers.readRows(pass.gates().rows(first, count), gates);
            if (cache != null) {
                HostBuffers.readRows(pass.cache().rows(first, count), cache);
            }
            zero(dPrevious, count, width);
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
