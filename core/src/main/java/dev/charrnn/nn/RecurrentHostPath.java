package dev.charrnn.nn;

import java.util.function.Supplier;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import dev.charrnn.nn.cpu.Blas;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.nn.cpu.HostBuffers;

/**
 * A {@link FusedRecurrentLayer}'s passes on the CPU, fast: the cell's float step math in Java over
 * ND4J's host memory ({@link Recurrence}, {@link FloatSteps}), batch rows shared by the step
 * threads, OpenBLAS for the products over all steps ({@link Blas}) and row copies for one-hot
 * input ({@link OneHotInput}). Float passes without a mask only: the layer sends every other pass
 * to the ops path.
 */
final class RecurrentHostPath implements RecurrentPath {

    /** Host copies of the bias and of dL/db. */
    private final HostBuffers host = new HostBuffers();
    private final Recurrence recurrence;
    private final OneHotInput oneHot = new OneHotInput();
    private final RecurrentCell cell;
    /** The layer's step threads, read at each pass: the layer may be given others between passes. */
    private final Supplier<Gang> stepThreads;

    RecurrentHostPath(RecurrentCell cell, Supplier<Gang> stepThreads) {
        this.cell = cell;
        this.stepThreads = stepThreads;
        this.recurrence = new Recurrence(cell);
    }

    /** Whether this path computes a pass of arrays of {@code type}, with or without a mask. */
    static boolean computes(DataType type, boolean masked) {
        return type == DataType.FLOAT && !masked;
    }

    @Override
    public int[] forward(RecurrentPass pass, Weights weights, INDArray mask, boolean keep, Memory memory) {
        Recurrence.Buffers buffers = buffers(pass, weights.rw(), true);
        double[] bias = host.read(weights.bias(), 1).clone();
        Blas.Block w = Blas.Block.of(weights.w());
        int[] symbols = w.layout == null ? null : oneHot.symbols(pass.input2d());
        Gang gang = stepThreads.get().acquire();
        try {
            if (symbols != null) {
                oneHot.project(gang, symbols, w, buffers.gates());
            } else {
                Blas.gemm(gang, Blas.Block.of(pass.input2d()), false, w, false, buffers.gates(), 1.0, 0.0);
            }
            recurrence.forward(gang, shape(pass, weights), buffers, bias, keep);
        } finally {
            gang.release();
        }
        return symbols;
    }

    @Override
    public double[] backward(RecurrentPass pass, Weights weights, Gradients d, int end, INDArray mask,
                             boolean recordHiddenNorms, Memory memory) {
        Recurrence.Buffers buffers = buffers(pass, weights.rw(), false);
        Recurrence.Gradients gradients = new Recurrence.Gradients(Blas.Block.of(d.epsilon()),
                Blas.Block.of(d.dProjection()), Blas.Block.of(d.dRecurrent()));
        Recurrence.Shape shape = shape(pass, weights);
        double[] hiddenNorms = recordHiddenNorms ? new double[shape.steps()] : null;
        Gang gang = stepThreads.get().acquire();
        try {
            double[] dBias = recurrence.backward(gang, shape, end, buffers, gradients, hiddenNorms);
            INDArray dBiasRow = Nd4j.createUninitialized(d.dB().dataType(), 1, dBias.length);
            host.write(dBias, dBiasRow);
            d.dB().assign(dBiasRow.reshape(d.dB().shape()));
            recurrentWeightGradient(gang, pass, shape, d.dRecurrent(), end, d.dRW());
            Blas.Block projectionGradient = Blas.Block.of(d.dProjection());
            Blas.Block weightGradient = Blas.Block.of(d.dW());
            if (pass.symbols() != null && weightGradient.layout != null) {
                OneHotInput.weightGradient(gang, pass.symbols(), projectionGradient, weightGradient);
            } else {
                Blas.gemm(gang, Blas.Block.of(pass.input2d()), true, projectionGradient, false, weightGradient, 1.0, 0.0);
            }
            if (d.epsilonOut() != null) {
                Blas.gemm(gang, projectionGradient, false, Blas.Block.of(weights.w()), true,
                        Blas.Block.of(d.epsilonOut()), 1.0, 0.0);
            }
        } finally {
            gang.release();
        }
        return hiddenNorms;
    }

    private static Recurrence.Buffers buffers(RecurrentPass pass, INDArray rw, boolean forward) {
        return new Recurrence.Buffers(Blas.Block.of(pass.gates()), Blas.Block.of(pass.states()),
                pass.cache() == null ? null : Blas.Block.of(pass.cache()), Blas.Block.of(pass.start()),
                Blas.Block.of(rw), forward ? Blas.Block.of(pass.output2d()) : null);
    }

    private static Recurrence.Shape shape(RecurrentPass pass, Weights weights) {
        return new Recurrence.Shape((int) pass.batch(), (int) pass.steps(), (int) weights.rw().size(0));
    }

    /**
     * dL/dRW = sum over the steps t >= end of h_{t-1}^T dL/d(h_{t-1} RW): two products over all
     * steps, the first step's (from the start state) and the others', not one small product per
     * step. Two, in this order, so the host path sums as it always has (row t*batch of the pass's
     * previous states is state t-1, the start state for t = 0).
     */
    private static void recurrentWeightGradient(Gang gang, RecurrentPass pass, Recurrence.Shape shape,
                                                INDArray dRecurrent, int end, INDArray dRW) {
        int batch = shape.batch();
        int steps = shape.steps();
        Blas.Block previous = Blas.Block.of(pass.previous()).columns(0, shape.n());
        Blas.Block d = Blas.Block.of(dRecurrent);
        Blas.Block gradient = Blas.Block.of(dRW);
        if (end == 0) {
            Blas.gemm(gang, previous.rows(0, batch), true, d.rows(0, batch), false, gradient, 1.0, 1.0);
        }
        int first = Math.max(end, 1);
        if (first < steps) {
            Blas.gemm(gang, previous.rows(first * batch, (steps - first) * batch), true,
                    d.rows(first * batch, (steps - first) * batch), false, gradient, 1.0, 1.0);
        }
    }
}
