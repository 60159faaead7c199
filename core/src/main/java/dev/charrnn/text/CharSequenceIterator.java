package dev.charrnn.text;

import java.util.List;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Truncated-BPTT minibatches in char-rnn's layout. The range is cut into {@code batchSize}
 * contiguous streams; minibatch w holds window w of every stream, so row r of minibatch w+1
 * continues exactly where row r of minibatch w stopped and the hidden state can be carried.
 * Labels are the inputs shifted by one character. One-hot arrays are built per minibatch.
 */
public final class CharSequenceIterator implements DataSetIterator {

    private final int[] symbols;
    private final int vocabularySize;
    private final int batchSize;
    private final int seqLength;
    private final int[] streamStarts;
    private final int windowsPerEpoch;
    private int window;

    public CharSequenceIterator(int[] symbols, int from, int to, int vocabularySize, int batchSize, int seqLength) {
        int streamLength = streamLength(to - from, batchSize);
        if (streamLength < seqLength) {
            throw new IllegalArgumentException("range of " + (to - from) + " characters is too short for "
                    + batchSize + " streams of " + (seqLength + 1) + " characters");
        }
        this.symbols = symbols;
        this.vocabularySize = vocabularySize;
        this.batchSize = batchSize;
        this.seqLength = seqLength;
        this.streamStarts = new int[batchSize];
        for (int r = 0; r < batchSize; r++) {
            streamStarts[r] = from + r * streamLength;
        }
        this.windowsPerEpoch = streamLength / seqLength;
    }

    /** Characters each stream can feed as input (the last one still needs its label). */
    public static int streamLength(int rangeLength, int batchSize) {
        return (rangeLength - 1) / batchSize;
    }

    public int windowsPerEpoch() {
        return windowsPerEpoch;
    }

    /** Index of the window {@link #next()} returns next: the data position a checkpoint records. */
    public int position() {
        return window;
    }

    /** Continues from a recorded position (0 .. windowsPerEpoch). */
    public void seek(int position) {
        if (position < 0 || position > windowsPerEpoch) {
            throw new IllegalArgumentException("position " + position + " outside 0.." + windowsPerEpoch);
        }
        window = position;
    }

    @Override
    public boolean hasNext() {
        return window < windowsPerEpoch;
    }

    @Override
    public DataSet next() {
        int[] inputStarts = new int[batchSize];
        int[] labelStarts = new int[batchSize];
        for (int r = 0; r < batchSize; r++) {
            inputStarts[r] = streamStarts[r] + window * seqLength;
            labelStarts[r] = inputStarts[r] + 1;
        }
        window++;
        return new DataSet(OneHot.windows(symbols, inputStarts, seqLength, vocabularySize),
                OneHot.windows(symbols, labelStarts, seqLength, vocabularySize));
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("minibatch size is fixed at " + batchSize);
    }

    @Override
    public int inputColumns() {
        return vocabularySize;
    }

    @Override
    public int totalOutcomes() {
        return vocabularySize;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public void reset() {
        window = 0;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        throw new UnsupportedOperationException("one-hot windows need no preprocessing");
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return null;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
