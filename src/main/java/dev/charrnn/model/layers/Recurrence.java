package dev.charrnn.model.layers;

import java.util.Arrays;

import dev.charrnn.model.Gang;

/**
 * The step loops of a {@link FusedRecurrentLayer}, each step shared by the threads of a gang: thread
 * p owns the units [n*p/P, n*(p+1)/P) and computes, for every gate block, their columns of the
 * recurrent product (one single-threaded BLAS call per block) and their cell math. A step ends when
 * all threads are done, since the next step's product needs every unit's new state. On two cores
 * this beats one thread driving a two-threaded BLAS: the products take as long, and the cell math
 * runs on both cores instead of one.
 *
 * <p>Host arrays are per thread and as wide as a full row; a thread only reads and writes the
 * positions of its own units. The backward pass shares the gradient accumulators the same way.
 */
final class Recurrence {

    /** One cell's arithmetic, for the units [u0, u1) of every row (see FusedRecurrentLayer). */
    interface Cell {
        int gates();

        int stateWidth();

        int cacheWidth();

        boolean separateRecurrentGradient();

        void forwardStep(int batch, int n, int u0, int u1, double[] gates, double[] recurrent, double[] previous,
                         double[] state, double[] cache);

        void backwardStep(int batch, int n, int u0, int u1, double[] dState, double[] previous, double[] gates,
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

    private final Cell cell;
    private HostBuffers[] hosts = new HostBuffers[0];

    Recurrence(Cell cell) {
        this.cell = cell;
    }

    /** Forward over every step; {@code keep}: also store gates and cache for a backward pass. */
    void forward(Gang gang, Shape s, Buffers buffers, double[] bias, boolean keep) {
        int parts = prepare(gang);
        for (int t = 0; t < s.steps(); t++) {
            int step = t;
            gang.run(part -> forwardPart(s, buffers, bias, keep, step, part, parts));
        }
    }

    /**
     * Backward over steps {@code steps-1 .. end}: fills dProjection (and dRecurrent), returns dL/db.
     * {@code hiddenNorms}, when not null, receives ||dL/dh_t|| of the first sequence.
     */
    double[] backward(Gang gang, Shape s, int end, Buffers pass, Gradients gradients, double[] hiddenNorms) {
        int parts = prepare(gang);
        double[] dBias = new double[cell.gates() * s.n()];
        double[][] squares = hiddenNorms == null ? null : new double[parts][s.steps()];
        for (int t = s.steps() - 1; t >= end; t--) {
            int step = t;
            gang.run(part -> backwardPart(s, end, pass, gradients, dBias, squares, step, part, parts));
        }
        if (hiddenNorms != null) {
            for (int t = 0; t < s.steps(); t++) {
                double sum = 0;
                for (double[] partial : squares) {
                    sum += partial[t];
                }
                hiddenNorms[t] = Math.sqrt(sum);
            }
        }
        return dBias;
    }

    private int prepare(Gang gang) {
        int parts = gang.size();
        if (hosts.length < parts) {
            HostBuffers[] grown = Arrays.copyOf(hosts, parts);
            for (int p = hosts.length; p < parts; p++) {
                grown[p] = new HostBuffers();
            }
            hosts = grown;
        }
        return parts;
    }

    private void forwardPart(Shape s, Buffers buffers, double[] bias, boolean keep, int t, int part, int parts) {
        int n = s.n();
        int u0 = n * part / parts;
        int u1 = n * (part + 1) / parts;
        if (u0 == u1) {
            return;
        }
        int b = s.batch();
        int g = cell.gates();
        int sw = cell.stateWidth();
        HostBuffers host = hosts[part];
        Blas.Block hPrevious = (t == 0 ? buffers.start() : buffers.states().rows((t - 1) * b, b)).columns(0, n);
        Blas.Block stepGates = buffers.gates().rows(t * b, b);
        Blas.Block recurrent = buffers.recurrent();
        recurrentProduct(hPrevious, buffers.recurrentWeights(), recurrent != null ? recurrent : stepGates,
                recurrent != null ? 0.0 : 1.0, g, n, u0, u1);
        double[] a = host.readSegments(stepGates, g, n, u0, u1, GATES);
        double[] recurrentValues = recurrent == null ? null : host.readSegments(recurrent, g, n, u0, u1, RECURRENT);
        addBias(a, bias, b, g, n, u0, u1);
        double[] previous = t == 0 ? host.readSegments(buffers.start(), sw, n, u0, u1, STATE_A)
                : host.scratch(t % 2 == 0 ? STATE_A : STATE_B, (long) b * sw * n);
        double[] state = host.scratch(t % 2 == 0 ? STATE_B : STATE_A, (long) b * sw * n);
        double[] cache = cell.cacheWidth() == 0 ? null : host.scratch(CACHE, (long) b * cell.cacheWidth() * n);
        cell.forwardStep(b, n, u0, u1, a, recurrentValues, previous, state, cache);
        if (s.mask() != null) {
            keepMaskedRows(s, t, previous, state, u0, u1);
        }
        host.writeSegments(state, buffers.states().rows(t * b, b), sw, n, u0, u1);
        if (keep) {
            host.writeSegments(a, stepGates, g, n, u0, u1);
            if (cache != null) {
                host.writeSegments(cache, buffers.cache().rows(t * b, b), cell.cacheWidth(), n, u0, u1);
            }
        }
        host.writeSegments(outputOf(host, s, t, state, u0, u1), buffers.output().rows(t * b, b), 1, n, u0, u1);
    }

    /** target[:, units] = beta * target + h' RW over the columns of units [u0, u1) in every gate block. */
    private static void recurrentProduct(Blas.Block hPrevious, Blas.Block rw, Blas.Block target, double beta, int gates,
                                         int n, int u0, int u1) {
        if (u0 == 0 && u1 == n) {
            Blas.gemm(hPrevious, false, rw, false, target, 1.0, beta);
            return;
        }
        for (int g = 0; g < gates; g++) {
            int column = g * n + u0;
            Blas.gemm(hPrevious, false, rw.columns(column, u1 - u0), false, target.columns(column, u1 - u0), 1.0, beta);
        }
    }

    private static void addBias(double[] a, double[] bias, int batch, int gates, int n, int u0, int u1) {
        int width = gates * n;
        for (int r = 0; r < batch; r++) {
            for (int g = 0; g < gates; g++) {
                int row = r * width + g * n;
                for (int j = u0; j < u1; j++) {
                    a[row + j] += bias[g * n + j];
                }
            }
        }
    }

    /** A masked step keeps the previous state: s = s' + m * (s - s'). */
    private void keepMaskedRows(Shape s, int t, double[] previous, double[] state, int u0, int u1) {
        int width = cell.stateWidth() * s.n();
        for (int r = 0; r < s.batch(); r++) {
            double m = s.mask(r, t);
            if (m == 1.0) {
                continue;
            }
            for (int g = 0; g < cell.stateWidth(); g++) {
                for (int k = r * width + g * s.n() + u0; k < r * width + g * s.n() + u1; k++) {
                    state[k] = previous[k] + m * (state[k] - previous[k]);
                }
            }
        }
    }

    /** The step's output rows: h, zero where masked. */
    private double[] outputOf(HostBuffers host, Shape s, int t, double[] state, int u0, int u1) {
        int n = s.n();
        int width = cell.stateWidth() * n;
        if (width == n && s.mask() == null) {
            return state;
        }
        double[] out = host.scratch(OUTPUT, (long) s.batch() * n);
        for (int r = 0; r < s.batch(); r++) {
            double m = s.mask(r, t);
            for (int j = u0; j < u1; j++) {
                out[r * n + j] = m * state[r * width + j];
            }
        }
        return out;
    }

    /**
     * Step t of the backward pass for one thread's units: first its share of the product that
     * finishes dL/dh_t (the gradient through h_t RW from step t+1, complete since the last round),
     * then the cell's backward math.
     */
    private void backwardPart(Shape s, int end, Buffers pass, Gradients d, double[] dBias, double[][] squares, int t,
                              int part, int parts) {
        int n = s.n();
        int u0 = n * part / parts;
        int u1 = n * (part + 1) / parts;
        if (u0 == u1) {
            return;
        }
        int b = s.batch();
        int g = cell.gates();
        int sw = cell.stateWidth();
        int width = sw * n;
        HostBuffers host = hosts[part];
        double[] dState = stateGradient(s, d, pass.recurrentWeights(), t, host, u0, u1);
        double[] dOutput = host.readSegments(d.epsilon().rows(t * b, b), 1, n, u0, u1, D_OUTPUT);
        double[] carried = s.mask() == null ? null : host.scratch(CARRIED, (long) b * width);
        for (int r = 0; r < b; r++) {
            double m = s.mask(r, t);
            for (int j = u0; j < u1; j++) {
                dState[r * width + j] += m * dOutput[r * n + j]; // the output at a masked step is zero
            }
            if (carried != null) {
                for (int k = 0; k < sw; k++) {
                    for (int i = r * width + k * n + u0; i < r * width + k * n + u1; i++) {
                        carried[i] = dState[i] * (1 - m);
                        dState[i] *= m;
                    }
                }
            }
        }
        if (squares != null) {
            for (int j = u0; j < u1; j++) {
                squares[part][t] += dState[j] * dState[j];
            }
        }
        double[] previous = host.readSegments(t > 0 ? pass.states().rows((t - 1) * b, b) : pass.start(), sw, n, u0, u1,
                PREVIOUS);
        double[] a = host.readSegments(pass.gates().rows(t * b, b), g, n, u0, u1, GATES);
        double[] cache = pass.cache() == null ? null
                : host.readSegments(pass.cache().rows(t * b, b), cell.cacheWidth(), n, u0, u1, CACHE);
        double[] dProjection = host.scratch(D_PROJECTION, (long) b * g * n);
        double[] dRecurrent = cell.separateRecurrentGradient() ? host.scratch(D_RECURRENT, (long) b * g * n) : null;
        double[] dPrevious = host.scratch(D_PREVIOUS, (long) b * width);
        zeroSegments(dPrevious, b, sw, n, u0, u1);
        cell.backwardStep(b, n, u0, u1, dState, previous, a, cache, dProjection, dRecurrent, dPrevious);
        for (int r = 0; r < b; r++) {
            for (int k = 0; k < g; k++) {
                int row = r * g * n + k * n;
                for (int j = u0; j < u1; j++) {
                    dBias[k * n + j] += dProjection[row + j];
                }
            }
        }
        host.writeSegments(dProjection, d.dProjection().rows(t * b, b), g, n, u0, u1);
        if (dRecurrent != null) {
            host.writeSegments(dRecurrent, d.dRecurrent().rows(t * b, b), g, n, u0, u1);
        }
        if (t > end) {
            host.writeSegments(dPrevious, d.dPrevious(), sw, n, u0, u1);
        }
    }

    /**
     * dL/d(state_t) for units [u0, u1): zero at the last step; else what step t+1 left in dPrevious
     * plus this thread's units of dL/d(h_t RW) RW^T, plus what masked rows carried.
     */
    private double[] stateGradient(Shape s, Gradients d, Blas.Block rw, int t, HostBuffers host, int u0, int u1) {
        int b = s.batch();
        int n = s.n();
        int sw = cell.stateWidth();
        if (t == s.steps() - 1) {
            double[] dState = host.scratch(D_STATE, (long) b * sw * n);
            zeroSegments(dState, b, sw, n, u0, u1);
            return dState;
        }
        Blas.gemm(d.dRecurrent().rows((t + 1) * b, b), false, rw.rows(u0, u1 - u0), true,
                d.dPrevious().columns(u0, u1 - u0), 1.0, 1.0);
        double[] dState = host.readSegments(d.dPrevious(), sw, n, u0, u1, D_STATE);
        if (s.mask() != null) {
            double[] carried = host.scratch(CARRIED, (long) b * sw * n);
            for (int r = 0; r < b; r++) {
                for (int k = 0; k < sw; k++) {
                    for (int i = r * sw * n + k * n + u0; i < r * sw * n + k * n + u1; i++) {
                        dState[i] += carried[i];
                    }
                }
            }
        }
        return dState;
    }

    private static void zeroSegments(double[] values, int batch, int segments, int n, int u0, int u1) {
        for (int r = 0; r < batch; r++) {
            for (int k = 0; k < segments; k++) {
                int row = (r * segments + k) * n;
                Arrays.fill(values, row + u0, row + u1, 0.0);
            }
        }
    }
}
