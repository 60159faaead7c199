package dev.charrnn.nn;

import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.nn.cpu.Blas;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.nn.cpu.HostBuffers;

/**
 * The input products of a layer whose input rows are one-hot characters, as the first layer of
 * every model reads them: x W is row s of W when x is the indicator of s, and dL/dW = X^T dP adds
 * each row of dP into the row of W its character selected. A row copy and a row addition replace
 * two [T*batch, vocabulary] x [vocabulary, gates*n] products (for a 2 x 256 vanilla RNN on 65
 * characters, 106 M of its 2.2 G multiply-adds per window). x W is exact, the gradient is the same
 * sum in another order. Float arrays only; any other input takes BLAS.
 */
final class OneHotInput {

    /** Per layer: one input row being scanned, and W as float rows. */
    private float[] row = new float[0];
    private float[][] weightRows;

    /**
     * The character of every row of a float [rows, vocabulary] array (-1 for a row of zeros, as a
     * masked step may be), or null unless every row is a one-hot indicator or zero. Rows are read
     * one at a time, so a layer whose input is not one-hot (every layer after the first) stops at
     * its first row.
     */
    int[] symbols(INDArray input2d) {
        Blas.Block block = Blas.Block.of(input2d);
        if (input2d.dataType() != DataType.FLOAT || !block.contiguous()) {
            return null;
        }
        int columns = block.columns;
        if (row.length < columns) {
            row = new float[columns];
        }
        FloatBuffer values = block.floatBuffer();
        int[] symbols = new int[block.rows];
        for (int r = 0; r < block.rows; r++) {
            values.get(r * columns, row, 0, columns);
            int symbol = -1;
            for (int c = 0; c < columns; c++) {
                float v = row[c];
                if (v != 0f) {
                    if (v != 1f || symbol >= 0) {
                        return null;
                    }
                    symbol = c;
                }
            }
            symbols[r] = symbol;
        }
        return symbols;
    }

    /** {@code out} [rows, width] = X W for the rows' characters; W [vocabulary, width] in either layout. */
    void project(Gang gang, int[] symbols, Blas.Block weights, Blas.Block out) {
        float[][] w = weightRows = HostBuffers.floatRows(weights, false, weightRows);
        float[] zeros = new float[out.columns];
        FloatBuffer target = out.floatBuffer();
        int leading = out.layout.leading();
        int parts = gang.size();
        gang.run(part -> {
            for (int r = symbols.length * part / parts; r < symbols.length * (part + 1) / parts; r++) {
                target.put(r * leading, symbols[r] < 0 ? zeros : w[symbols[r]], 0, out.columns);
            }
        });
    }

    /**
     * {@code dW} [vocabulary, width] = X^T dP: row s of dW is the sum of the rows of dP whose
     * character is s, in row order. Parts of the gang take bands of columns.
     */
    static void weightGradient(Gang gang, int[] symbols, Blas.Block dProjection, Blas.Block dW) {
        FloatBuffer source = dProjection.floatBuffer();
        int leading = dProjection.layout.leading();
        int width = dW.columns;
        int parts = gang.size();
        gang.run(part -> {
            int c0 = width * part / parts;
            int count = width * (part + 1) / parts - c0;
            float[][] sums = new float[dW.rows][count];
            float[] row = new float[count];
            for (int r = 0; r < symbols.length; r++) {
                if (symbols[r] < 0) {
                    continue;
                }
                source.get(r * leading + c0, row, 0, count);
                float[] sum = sums[symbols[r]];
                for (int c = 0; c < count; c++) {
                    sum[c] += row[c];
                }
            }
            HostBuffers.writeFloatRows(sums, dW.columns(c0, count));
        });
    }
}
