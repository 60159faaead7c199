package dev.charrnn.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.dataset.DataSet;

import dev.charrnn.corpus.OneHot;

/**
 * The training split as an RDD of examples: each one a contiguous stretch of {@code length}
 * characters (labels shifted by one), one-hot encoded on the executors from the broadcast symbols.
 * Examples do not overlap; their order is shuffled per epoch, reproducibly from the seed.
 */
final class CharWindows {

    private final Broadcast<int[]> symbols;
    private final int trainLength;
    private final int vocabularySize;
    private final int length;

    CharWindows(JavaSparkContext sc, int[] symbols, int trainLength, int vocabularySize, int length) {
        this.symbols = sc.broadcast(symbols);
        this.trainLength = trainLength;
        this.vocabularySize = vocabularySize;
        this.length = length;
    }

    /** Examples per epoch: each needs length + 1 characters (the last label). */
    int count() {
        return Math.max(0, (trainLength - 1) / length);
    }

    JavaRDD<DataSet> epoch(JavaSparkContext sc, long seed) {
        List<Integer> starts = new ArrayList<>(count());
        for (int i = 0; i < count(); i++) {
            starts.add(i * length);
        }
        Collections.shuffle(starts, new Random(seed));
        Broadcast<int[]> text = symbols;
        int vocabulary = vocabularySize;
        int window = length;
        return sc.parallelize(starts, sc.defaultParallelism()).map(start -> example(text.value(), start, window, vocabulary));
    }

    private static DataSet example(int[] symbols, int start, int length, int vocabularySize) {
        return new DataSet(OneHot.windows(symbols, new int[] {start}, length, vocabularySize),
                OneHot.windows(symbols, new int[] {start + 1}, length, vocabularySize));
    }
}
