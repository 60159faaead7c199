package dev.charrnn.model.layers;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.common.base.Preconditions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The per-step elementwise math of a cell runs in plain Java: its operands (contiguous ND4J
 * arrays, such as one time step's rows) are copied to double arrays in one bulk copy, computed
 * in one loop, and copied back. That replaces a dozen native calls per step, each with its
 * own dispatch and temporary array, which cost more than the matrix product itself.
 *
 * <p>Computing in double serves float networks (rounded once at the end) and the double
 * networks of the gradient checks alike. Arrays are reused: one set per layer, not thread-safe.
 */
final class HostBuffers {

    private double[][] slots = new double[8][];
    private float[] floats = new float[0];

    /** A reusable array of at least {@code length} values in slot {@code slot} (contents undefined). */
    double[] scratch(int slot, long length) {
        double[] buffer = slots[slot];
        if (buffer == null || buffer.length < length) {
            buffer = new double[Math.toIntExact(length)];
            slots[slot] = buffer;
        }
        return buffer;
    }

    /** The values of an array in c order, in slot {@code slot}. */
    double[] read(INDArray array, int slot) {
        if (!contiguous(array)) {
            array = array.dup('c');
        }
        int length = checkContiguous(array);
        double[] values = scratch(slot, length);
        if (array.dataType() == DataType.DOUBLE) {
            new DoublePointer(array.data().addressPointer()).get(values, 0, length);
        } else {
            float[] f = floats(length);
            new FloatPointer(array.data().addressPointer()).get(f, 0, length);
            for (int i = 0; i < length; i++) {
                values[i] = f[i];
            }
        }
        return values;
    }

    /** Writes the first {@code array.length()} values into an array, in c order. */
    void write(double[] values, INDArray array) {
        if (!contiguous(array)) {
            INDArray copy = array.dup('c');
            write(values, copy);
            array.assign(copy);
            return;
        }
        int length = checkContiguous(array);
        if (array.dataType() == DataType.DOUBLE) {
            new DoublePointer(array.data().addressPointer()).put(values, 0, length);
        } else {
            float[] f = floats(length);
            for (int i = 0; i < length; i++) {
                f[i] = (float) values[i];
            }
            new FloatPointer(array.data().addressPointer()).put(f, 0, length);
        }
    }

    private float[] floats(int length) {
        if (floats.length < length) {
            floats = new float[length];
        }
        return floats;
    }

    /** Laid out in the buffer as c order would: c order without gaps, or a single row. */
    private static boolean contiguous(INDArray array) {
        return array.length() <= 1 || array.elementWiseStride() == 1
                && (array.ordering() == 'c' || array.rank() == 2 && array.size(0) == 1);
    }

    private static int checkContiguous(INDArray array) {
        Preconditions.checkState(contiguous(array)
                        && (array.dataType() == DataType.FLOAT || array.dataType() == DataType.DOUBLE),
                "a contiguous c-order float or double array expected, got %s %s", array.dataType(), array.shapeInfoToString());
        return Math.toIntExact(array.length());
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** tanh through exp, an intrinsic (Math.tanh is not one on Java 17). */
    static double tanh(double x) {
        return 1.0 - 2.0 / (Math.exp(2.0 * x) + 1.0);
    }
}
