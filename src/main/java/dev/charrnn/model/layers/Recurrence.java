package dev.charrnn.model.layers;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;

import dev.charrnn.model.Gang;

/**
 * The step loops of a {@link FusedRecurrentLayer}, shared by the threads of a gang by batch rows:
 * thread p runs every step for the rows [batch*p/P, batch*(p+1)/P). A row's recurrence needs only
 * its own previous state, so the threads never wait for each other within a pass, and each keeps
 * its rows' state in its own host arrays from one step to the next.
 *
 * <p>Float passes without a mask, of a cell with float math, run in {@link FloatSteps}: the step's
 * recurrent product, h' RW forward and dL/d(h RW) RW^T backward, is the Java kernel
 * ({@code Kernels.accumulate}) on a float copy of RW (or RW^T) taken here once per pass. OpenBLAS
 * repacks RW at every call, which took as long as the product itself; the Java kernel, measured
 * alone on a thread's [16, 256] x [256, gates*256], takes half BLAS's time. The loops here serve
 * the other passes (double networks, as in the gradient checks, and masked passes): OpenBLAS's
 * products and the cell's double math.
 */
final class Recurrence {

    /** One cell's arithmetic on a block of batch rows (see FusedRecurrentLayer). */
    interface Cell {
        /** The cell's step math in float, or null: float passes then take the double loops too. */
        default FloatCell floatCell() {
            return null;
        }

        int gates();

        int stateWidth();

        int cacheWidth();

        boolean separateRecurrentGradient();

        void forwardStep(int batch, int n, double[] gates, double[] recurrent, double[] previous,
                         double[] state, double[] cache);

        void backwardStep(int batch, int n, double[] dState, double[] previous, double[] gates,
                          double[] cache, double[] dProjection, double[] dRecurrent, double[] dPrevious);
    }

    /** Sizes of one pass, and its mask as host values [batch, steps] (null: no mask). */
    record Shape(int batch, int steps, int n, double[] mask) {

        double mask(int r, int t) {
            return mask == null ? 1.0 : mask[r * steps + t];
        }
    }

    /** Native buffers of one pass: time-major rows, as FusedRecurrentLayer allocates them. */
    record Buffers(Blas.Block gates, Blas.Block states, Blas.Block cache, Blas.Block start, Blas.Block recurrentWeights,
                   Blas.Block recurrent, Blas.Block output) {
    }

    /** Native gradient buffers of one backward pass. */
    record Gradients(Blas.Block epsilon, Blas.Block dProjection, Blas.Block dRecurrent, Blas.Block dPrevious) {
    }

    private static final int STATE_A = 0, STATE_B = 1, GATES = 2, RECURRENT = 3, CACHE = 4, D_STATE = 5,
            D_OUTPUT = 6, PREVIOUS = 7, D_PROJECTION = 8, D_RECURRENT = 9, D_PREVIOUS = 10, CARRIED = 11, OUTPUT = 12;

    private static final int PARTS_PER_THREAD = 2;

    private final Cell cell;
    private final FloatSteps floatSteps;
    private HostBuffers[] hosts = new HostBuffers[0];
    /** RW [n, gates*n] and RW^T as float rows, for FloatSteps' products. */
    private float[][] weights;
    private float[][] weightsTransposed;

    Recurrence(Cell cell) {
        this.cell = cell;
        this.floatSteps = cell.floatCell() == null ? null : new FloatSteps(cell, cell.floatCell());
    }

    /** Forward over every step; {@code keep}: also store gates and cache for a backward pass. */
    void forward(Gang gang, Shape s, Buffers buffers, double[] bias, boolean keep) {
        int parts = prepare(gang, s.batch());
        if (inFloat(s, buffers)) {
            float[][] rw = weights = HostBuffers.floatRows(buffers.recurrentWeights(), false, weights);
            float[] floatBias = new float[bias.length];
            for (int k = 0; k < bias.length; k++) {
                floatBias[k] = (float) bias[k];
            }
            gang.run(parts, part -> {
                Rows rows = rows(s, part, parts);
                floatSteps.forward(s, buffers, floatBias, keep, rw, rows.from(), rows.count(), rows.host());
            });
            return;
        }
        gang.run(parts, part -> forwardRows(s, buffers, bias, keep, rows(s, part, parts)));
    }

    /**
     * Backward over steps {@code steps-1 .. end}: fills dProjection (and dRecurrent), returns dL/db.
     * {@code hiddenNorms}, when not null, receives ||dL/dh_t|| of the first sequence.
     */
    double[] backward(Gang gang, Shape s, int end, Buffers pass, Gradients gradients, double[] hiddenNorms) {
        int parts = prepare(gang, s.batch());
        double[][] dBias = new double[parts][cell.gates() * s.n()];
        double[] squares = hiddenNorms == null ? null : new double[s.steps()];
        if (inFloat(s, pass)) {
            float[][] rwT = weightsTransposed = HostBuffers.floatRows(pass.recurrentWeights(), true, weightsTransposed);
            gang.run(parts, part -> {
                Rows rows = rows(s, part, parts);
                floatSteps.backward(s, end, pass, gradients, rwT, dBias[part], squares, rows.from(), rows.count(),
                        rows.host());
            });
        } else {
            gang.run(parts, part -> backwardRows(s, end, pass, gradients, dBias[part], squares, rows(s, part, parts)));
        }
        if (hiddenNorms != null) {
            for (int t = 0; t < s.steps(); t++) {
                hiddenNorms[t] = Math.sqrt(squares[t]);
            }
        }
        for (int p = 1; p < parts; p++) {
            for (int k = 0; k < dBias[0].length; k++) {
                dBias[0][k] += dBias[p][k];
            }
        }
        return dBias[0];
    }

    /** A part's batch rows [from, from + count), with its host arrays. */
    private record Rows(int from, int count, HostBuffers host) {
    }

    private Rows rows(Shape s, int part, int parts) {
        int from = s.batch() * part / parts;
        return new Rows(from, s.batch() * (part + 1) / parts - from, hosts[part]);
    }

    /** True when a pass runs in {@link FloatSteps}: a float network, no mask, a cell with float math. */
    private boolean inFloat(Shape s, Buffers buffers) {
        return floatSteps != null && s.mask() == null && buffers.recurrentWeights().array.dataType() == DataType.FLOAT;
    }

    /**
     * Parts of a pass: two per thread and at most one per row (so none is empty), so a thread that
     * loses its core for a while leaves its second part to the others.
     */
    private int prepare(Gang gang, int batch) {
        int parts = Math.max(1, Math.min(PARTS_PER_THREAD * gang.size(), batch));
        if (hosts.length < parts) {
            HostBuffers[] grown = Arrays.copyOf(hosts, parts);
            for (int p = hosts.length; p < parts; p++) {
                grown[p] = new HostBuffers();
            }
            hosts = grown;
        }
        return parts;
    }

    private void forwardRows(Shape s, Buffers buffers, double[] bias, boolean keep, Rows rows) {
        int count = rows.count();
        int n = s.n();
        int b = s.batch();
        int g = cell.gates();
        int sw = cell.stateWidth();
        HostBuffers host = rows.host();
        double[] previous = host.read(buffers.start().rows(rows.from(), count), STATE_A);
        double[] state = host.scratch(STATE_B, (long) count * sw * n);
        for (int t = 0; t < s.steps(); t++) {
            int first = t * b + rows.from();
            Blas.Block stepGates = buffers.gates().rows(first, count);
            Blas.Block recurrent = cell.separateRecurrentGradient() ? buffers.recurrent().rows(rows.from(), count) : null;
            Blas.Block hPrevious = (t == 0 ? buffers.start().rows(rows.from(), count)
                    : buffers.states().rows(first - b, count)).columns(0, n);
            Blas.gemm(hPrevious, false, buffers.recurrentWeights(), false, recurrent != null ? recurrent : stepGates,
                    1.0, recurrent != null ? 0.0 : 1.0);
            double[] a = host.read(stepGates, GATES);
            double[] recurrentValues = recurrent == null ? null : host.read(recurrent, RECURRENT);
            addBias(a, bias, count, g * n);
            double[] cache = cell.cacheWidth() == 0 ? null : host.scratch(CACHE, (long) count * cell.cacheWidth() * n);
            cell.forwardStep(count, n, a, recurrentValues, previous, state, cache);
            if (s.mask() != null) {
                keepMaskedRows(s, t, rows, previous, state);
            }
            host.write(state, buffers.states().rows(first, count));
            if (keep) {
                host.write(a, stepGates);
                if (cache != null) {
                    host.write(cache, buffers.cache().rows(first, count));
                }
            }
            host.write(outputOf(host, s, t, rows, state), buffers.output().rows(first, count));
            double[] swap = previous;
            previous = state;
            state = swap;
        }
    }

    private static void addBias(double[] a, double[] bias, int count, int width) {
        for (int r = 0; r < count; r++) {
            for (int c = 0; c < width; c++) {
                a[r * width + c] += bias[c];
            }
        }
    }

    /** A masked step keeps the previous state: s = s' + m * (s - s'). */
    private void keepMaskedRows(Shape s, int t, Rows rows, double[] previous, double[] state) {
        int width = cell.stateWidth() * s.n();
        for (int r = 0; r < rows.count(); r++) {
            double m = s.mask(rows.from() + r, t);
            if (m == 1.0) {
                continue;
            }
            for (int k = r * width; k < (r + 1) * width; k++) {
                state[k] = previous[k] + m * (state[k] - previous[k]);
            }
        }
    }

    /** The step's output rows: h, zero where masked. */
    private double[] outputOf(HostBuffers host, Shape s, int t, Rows rows, double[] state) {
        int n = s.n();
        int width = cell.stateWidth() * n;
        if (width == n && s.mask() == null) {
            return state;
        }
        double[] out = host.scratch(OUTPUT, (long) rows.count() * n);
        for (int r = 0; r < rows.count(); r++) {
            double m = s.mask(rows.from() + r, t);
            for (int j = 0; j < n; j++) {
                out[r * n + j] = m * state[r * width + j];
            }
        }
        return out;
    }

    /**
     * The backward steps of a part's rows. dL/d(state_t) is what step t+1's cell math left for
     * state_t plus dL/d(h_t RW) RW^T, plus what masked rows carried past step t+1.
     */
    private void backwardRows(Shape s, int end, Buffers pass, Gradients d, double[] dBias, double[] squares,
                              Rows rows) {
        int count = rows.count();
        int n = s.n();
        int b = s.batch();
        int g = cell.gates();
        int width = cell.stateWidth() * n;
        HostBuffers host = rows.host();
        double[] dState = host.scratch(D_STATE, (long) count * width);
        double[] dPrevious = host.scratch(D_PREVIOUS, (long) count * width);
        double[] dProjection = host.scratch(D_PROJECTION, (long) count * g * n);
        double[] dRecurrent = cell.separateRecurrentGradient() ? host.scratch(D_RECURRENT, (long) count * g * n)
                : dProjection;
        double[] carried = s.mask() == null ? null : host.scratch(CARRIED, (long) count * width);
        if (carried != null) {
            Arrays.fill(carried, 0, count * width, 0.0);
        }
        for (int t = s.steps() - 1; t >= end; t--) {
            int first = t * b + rows.from();
            if (t == s.steps() - 1) {
                Arrays.fill(dState, 0, count * width, 0.0);
            } else {
                Blas.Block staged = d.dPrevious().rows(rows.from(), count);
                host.write(dPrevious, staged);
                Blas.gemm(d.dRecurrent().rows(first + b, count), false, pass.recurrentWeights(), true,
                        staged.columns(0, n), 1.0, 1.0);
                System.arraycopy(host.read(staged, PREVIOUS), 0, dState, 0, count * width);
            }
            if (carried != null && t < s.steps() - 1) {
                for (int k = 0; k < count * width; k++) {
                    dState[k] += carried[k];
                }
            }
            double[] dOutput = host.read(d.epsilon().rows(first, count), D_OUTPUT);
            for (int r = 0; r < count; r++) {
                double m = s.mask(rows.from() + r, t);
                for (int j = 0; j < n; j++) {
                    dState[r * width + j] += m * dOutput[r * n + j]; // the output at a masked step is zero
                }
                if (carried != null) {
                    for (int k = r * width; k < (r + 1) * width; k++) {
                        carried[k] = dState[k] * (1 - m);
                        dState[k] *= m;
                    }
                }
            }
            if (squares != null && rows.from() == 0) {
                for (int j = 0; j < n; j++) {
                    squares[t] += dState[j] * dState[j];
                }
            }
            double[] previous = host.read(t > 0 ? pass.states().rows(first - b, count)
                    : pass.start().rows(rows.from(), count), PREVIOUS);
            double[] a = host.read(pass.gates().rows(first, count), GATES);
            double[] cache = pass.cache() == null ? null : host.read(pass.cache().rows(first, count), CACHE);
            Arrays.fill(dPrevious, 0, count * width, 0.0);
            cell.backwardStep(count, n, dState, previous, a, cache, dProjection,
                    dRecurrent == dProjection ? null : dRecurrent, dPrevious);
            for (int r = 0; r < count; r++) {
                for (int k = 0; k < g * n; k++) {
                    dBias[k] += dProjection[r * g * n + k];
                }
            }
            host.write(dProjection, d.dProjection().rows(first, count));
            if (dRecurrent != dProjection) {
                host.write(dRecurrent, d.dRecurrent().rows(first, count));
            }
        }
    }
}
