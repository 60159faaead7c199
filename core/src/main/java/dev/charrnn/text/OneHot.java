package dev.charrnn.text;

import java.nio.FloatBuffer;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import dev.charrnn.nn.cpu.Nd4jBackend;

/** One-hot encoding in DL4J's recurrent layout: [rows, vocabulary, time]. */
public final class OneHot {

    private static final boolean ON_CPU = "CPU".equals(Nd4jBackend.name());

    private OneHot() {
    }

    /**
     * Row r holds symbols[starts[r] .. starts[r] + length). The memory is time-major ([time, rows,
     * vocabulary] in c order, viewed as [rows, vocabulary, time]), the order the recurrent layers
     * read, so they take it without a copy.
     */
    public static INDArray windows(int[] symbols, int[] starts, int length, int vocabularySize) {
        int rows = starts.length;
        if (ON_CPU) {
            return windowsInPlace(symbols, starts, length, vocabularySize);
        }
        float[] data = new float[rows * vocabularySize * length];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < length; t++) {
                data[(t * rows + r) * vocabularySize + symbols[starts[r] + t]] = 1f;
            }
        }
        return Nd4j.create(data, new long[] {length, rows, vocabularySize}, 'c').permute(1, 2, 0);
    }

    /**
     * The same array written where it lives: ND4J zeroes its memory natively and only the ones are
     * stored. Creating it from a Java array copies element by element through ND4J's indexer, which
     * showed in a vanilla RNN's training step.
     */
    private static INDArray windowsInPlace(int[] symbols, int[] starts, int length, int vocabularySize) {
        int rows = starts.length;
        INDArray array = Nd4j.create(DataType.FLOAT, new long[] {length, rows, vocabularySize}, 'c');
        FloatBuffer values = new FloatPointer(array.data().addressPointer()).capacity(array.length()).asBuffer();
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < length; t++) {
                values.put((t * rows + r) * vocabularySize + symbols[starts[r] + t], 1f);
            }
        }
        return array.permute(1, 2, 0);
    }

    /** One time step for several rows: [rows, vocabulary]. */
    public static INDArray step(int[] symbolPerRow, int vocabularySize) {
        float[] data = new float[symbolPerRow.length * vocabularySize];
        for (int r = 0; r < symbolPerRow.length; r++) {
            data[r * vocabularySize + symbolPerRow[r]] = 1f;
        }
        return Nd4j.create(data, new long[] {symbolPerRow.length, vocabularySize}, 'c');
    }
}
