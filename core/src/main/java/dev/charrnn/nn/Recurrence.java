package dev.charrnn.nn;

import java.util.Arrays;

import dev.charrnn.nn.cpu.Blas;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.nn.cpu.HostBuffers;

/**
 * The host path's step loops ({@link RecurrentHostPath}), shared by the threads of a gang by batch
 * rows: thread p runs every step for the rows [batch*p/P, batch*(p+1)/P). A row's recurrence needs
 * only its own previous state, so the threads never wait for each other within a pass, and each
 * keeps its rows' state in its own host arrays from one step to the next.
 *
 * <p>The steps run in {@link FloatSteps}: the step's recurrent product, h' RW forward and
 * dL/d(h RW) RW^T backward, is the Java kernel ({@code Kernels.accumulate}) on a float copy of RW
 * (or RW^T) taken here once per pass. OpenBLAS repacks RW at every call, which costs as much as the
 * product itself at these sizes; the Java kernel on a thread's rows is faster than the BLAS call.
 */
final class Recurrence {

    /** Sizes of one pass. */
    record Shape(int batch, int steps, int n) {
    }

    /** Native buffers of one pass: time-major rows, as FusedRecurrentLayer allocates them. */
    record Buffers(Blas.Block gates, Blas.Block states, Blas.Block cache, Blas.Block start, Blas.Block recurrentWeights,
                   Blas.Block output) {
    }

    /** Native gradient buffers of one backward pass. */
    record Gradients(Blas.Block epsilon, Blas.Block dProjection, Blas.Block dRecurrent) {
    }

    private static final int PARTS_PER_THREAD = 2;

    private final RecurrentCell cell;
    private final FloatSteps floatSteps;
    private HostBuffers[] hosts = new HostBuffers[0];
    /** RW [n, gates*n] and RW^T as float rows, for FloatSteps' products. */
    private float[][] weights;
    private float[][] weightsTransposed;

    Recurrence(RecurrentCell cell) {
        this.cell = cell;
        this.floatSteps = new FloatSteps(cell, cell.floatCell());
    }

    /** Forward over every step; {@code keep}: also store gates and cache for a backward pass. */
    void forward(Gang gang, Shape s, Buffers buffers, double[] bias, boolean keep) {
        int parts = prepare(gang, s.batch());
        float[][] rw = weights = HostBuffers.floatRows(buffers.recurrentWeights(), false, weights);
        float[] floatBias = new float[bias.length];
        for (int k = 0; k < bias.length; k++) {
            floatBias[k] = (float) bias[k];
        }
        gang.run(parts, part -> {
            Rows rows = rows(s, part, parts);
            floatSteps.forward(s, buffers, floatBias, keep, rw, rows.from(), rows.count(), rows.host());
        });
    }

    /**
     * Backward over steps {@code steps-1 .. end}: fills dProjection (and dRecurrent), returns dL/db.
     * {@code hiddenNorms}, when not null, receives ||dL/dh_t|| of the first sequence.
     */
    double[] backward(Gang gang, Shape s, int end, Buffers pass, Gradients gradients, double[] hiddenNorms) {
        int parts = prepare(gang, s.batch());
        double[][] dBias = new double[parts][cell.gates() * s.n()];
        double[] squares = hiddenNorms == null ? null : new double[s.steps()];
        float[][] rwT = weightsTransposed = HostBuffers.floatRows(pass.recurrentWeights(), true, weightsTransposed);
        gang.run(parts, part -> {
            Rows rows = rows(s, part, parts);
            floatSteps.backward(s, end, pass, gradients, rwT, dBias[part], squares, rows.from(), rows.count(),
                    rows.host());
        });
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
}
