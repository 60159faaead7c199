package dev.charrnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.text.EncodedText;
import dev.charrnn.text.OneHot;

/** Validation loss over the whole validation split, fed as parallel streams with carried state. */
public final class Evaluator {

    private static final double LN2 = Math.log(2);

    private Evaluator() {
    }

    /**
     * Mean negative log2-likelihood of every validation character given the ones before it in its
     * stream. {@code network} must be a private session: its recurrent state is reset and used.
     */
    public static double bitsPerChar(MultiLayerNetwork network, EncodedText text, int maxRows, int seqLength) {
        int n = text.validationLength();
        if (n < 2) {
            return Double.NaN;
        }
        int rows = Math.max(1, Math.min(maxRows, (n - 1) / seqLength));
        int streamLength = (n - 1) / rows;
        int vocabularySize = text.vocabulary().size();
        int[] symbols = text.symbols();
        double nats = 0;
        long predictions = 0;
        network.rnnClearPreviousState();
        try {
            for (int offset = 0; offset < streamLength; offset += seqLength) {
                int length = Math.min(seqLength, streamLength - offset);
                int[] starts = new int[rows];
                for (int r = 0; r < rows; r++) {
                    starts[r] = text.validationStart() + r * streamLength + offset;
                }
                INDArray out = network.rnnTimeStep(OneHot.windows(symbols, starts, length, vocabularySize));
                float[] probabilities = out.dup('c').data().asFloat();
                for (int r = 0; r < rows; r++) {
                    for (int t = 0; t < length; t++) {
                        int next = symbols[starts[r] + t + 1];
                        float p = probabilities[(r * vocabularySize + next) * length + t];
                        nats -= Math.log(Math.max(p, 1e-30f));
                    }
                }
                predictions += (long) rows * length;
            }
        } finally {
            network.rnnClearPreviousState();
        }
        return nats / predictions / LN2;
    }
}
