package dev.charrnn.nn.cpu;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.common.base.Preconditions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Host copies of ND4J arrays for the host path: float rows for the step loops ({@link FloatSteps})
 * and double values for the bias, dL/db and the softmax output layer's rows. The copies are bulk
 * copies of the arrays' host memory, which exists on the CPU backend only. Arrays are reused: one
 * set per user, not thread-safe.
 */
public final class HostBuffers {

    private double[][] slots = new double[16][];
    private final float[][][] floatSlots = new float[16][][];
    private float[] floats = new float[0];

    /** A reusable array of at least {@code length} values in slot {@code slot} (contents undefined). */
    public double[] scratch(int slot, long length) {
        double[] buffer = slots[slot];
        if (buffer == null || buffer.length < length) {
            buffer = new double[Math.toIntExact(length)];
            slots[slot] = buffer;
        }
        return buffer;
    }

    /** Reusable float rows, at least {@code rows} x {@code columns}, in float slot {@code slot} (contents undefined). */
    public float[][] floatMatrix(int slot, int rows, int columns) {
        float[][] matrix = floatSlots[slot];
        if (matrix == null || matrix.length < rows || matrix[0].length < columns) {
            matrix = new float[rows][columns];
            floatSlots[slot] = matrix;
        }
        return matrix;
    }

    /** Reads a row-major float block's rows into the first {@code block.columns} values of {@code rows}; returns them. */
    public static float[][] readRows(Blas.Block block, float[][] rows) {
        java.nio.FloatBuffer buffer = block.floatBuffer();
        int leading = block.layout.leading();
        for (int r = 0; r < block.rows; r++) {
            buffer.get(r * leading, rows[r], 0, block.columns);
        }
        return rows;
    }

    /** Writes the first {@code block.columns} values of {@code rows} into a row-major float block's rows. */
    public static void writeRows(float[][] rows, Blas.Block block) {
        java.nio.FloatBuffer buffer = block.floatBuffer();
        int leading = block.layout.leading();
        for (int r = 0; r < block.rows; r++) {
            buffer.put(r * leading, rows[r], 0, block.columns);
        }
    }

    /**
     * A float block as rows of floats: {@code rows[i][j]} is element (i, j), or (j, i) when
     * {@code transposed}. Reuses {@code reuse} when its shape fits.
     */
    public static float[][] floatRows(Blas.Block block, boolean transposed, float[][] reuse) {
        int rows = transposed ? block.columns : block.rows;
        int columns = transposed ? block.rows : block.columns;
        float[][] out = reuse != null && reuse.length == rows && reuse[0].length == columns ? reuse
                : new float[rows][columns];
        java.nio.FloatBuffer buffer = block.floatBuffer();
        int leading = block.layout.leading();
        // the block's memory runs along its major dimension: copy those runs in bulk when they are out's rows
        int runs = block.layout.rowMajor() ? block.rows : block.columns;
        int length = block.layout.rowMajor() ? block.columns : block.rows;
        boolean runsAreRows = block.layout.rowMajor() != transposed;
        float[] run = runsAreRows ? null : new float[length];
        for (int q = 0; q < runs; q++) {
            if (runsAreRows) {
                buffer.get(q * leading, out[q], 0, length);
            } else {
                buffer.get(q * leading, run, 0, length);
                for (int i = 0; i < length; i++) {
                    out[i][q] = run[i];
                }
            }
        }
        return out;
    }

    /** Writes {@code rows[i][j]} into element (i, j) of a float block of either layout. */
    public static void writeFloatRows(float[][] rows, Blas.Block block) {
        if (block.layout.rowMajor()) {
            writeRows(rows, block);
            return;
        }
        java.nio.FloatBuffer buffer = block.floatBuffer();
        int leading = block.layout.leading();
        float[] run = new float[block.rows];
        for (int j = 0; j < block.columns; j++) {
            for (int i = 0; i < block.rows; i++) {
                run[i] = rows[i][j];
            }
            buffer.put(j * leading, run, 0, block.rows);
        }
    }

    /** The values of an array in c order, in slot {@code slot}. */
    public double[] read(INDArray array, int slot) {
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
    public void write(double[] values, INDArray array) {
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

    /** The values of a block in row-major order, in slot {@code slot}. */
    public double[] read(Blas.Block block, int slot) {
        if (!block.contiguous()) {
            return read(block.view(), slot);
        }
        int length = block.rows * block.columns;
        double[] values = scratch(slot, length);
        if (block.array.dataType() == DataType.DOUBLE) {
            block.doubles().get(values, 0, length);
        } else {
            float[] f = floats(length);
            block.floats().get(f, 0, length);
            for (int i = 0; i < length; i++) {
                values[i] = f[i];
            }
        }
        return values;
    }

    /** Writes the first {@code rows * columns} values into a block, row by row. */
    public void write(double[] values, Blas.Block block) {
        if (!block.contiguous()) {
            write(values, block.view());
            return;
        }
        int length = block.rows * block.columns;
        if (block.array.dataType() == DataType.DOUBLE) {
            block.doubles().put(values, 0, length);
        } else {
            float[] f = floats(length);
            for (int i = 0; i < length; i++) {
                f[i] = (float) values[i];
            }
            block.floats().put(f, 0, length);
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
}
