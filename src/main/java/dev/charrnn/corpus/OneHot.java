package dev.charrnn.corpus;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One-hot encoding in DL4J's recurrent layout: [rows, vocabulary, time]. */
public final class OneHot {

    private OneHot() {
    }

    /** Row r holds symbols[starts[r] .. starts[r] + length). */
    public static INDArray windows(int[] symbols, int[] starts, int length, int vocabularySize) {
        float[] data = new float[starts.length * vocabularySize * length];
        for (int r = 0; r < starts.length; r++) {
            int rowOffset = r * vocabularySize * length;
            for (int t = 0; t < length; t++) {
                data[rowOffset + symbols[starts[r] + t] * length + t] = 1f;
            }
        }
        return Nd4j.create(data, new long[] {starts.length, vocabularySize, length}, 'c');
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
