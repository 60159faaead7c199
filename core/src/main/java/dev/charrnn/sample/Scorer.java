package dev.charrnn.sample;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.text.OneHot;

/** How surprised a model is by a text: -log2 p(c_t | c_1..c_{t-1}) for every character after the first. */
public final class Scorer {

    /** Steps fed per call, so memory stays bounded for long texts (the state carries across). */
    private static final int CHUNK = 512;

    private Scorer() {
    }

    /** Surprisal in bits of symbols[1..], given everything before; {@code session} must be private. */
    public static double[] surprisalBits(MultiLayerNetwork session, int[] symbols, int vocabularySize) {
        double[] bits = new double[symbols.length - 1];
        session.rnnClearPreviousState();
        try {
            for (int offset = 0; offset < symbols.length - 1; offset += CHUNK) {
                int length = Math.min(CHUNK, symbols.length - 1 - offset);
                INDArray out = session.rnnTimeStep(OneHot.windows(symbols, new int[] {offset}, length, vocabularySize));
                float[] probabilities = out.dup('c').data().asFloat();
                for (int t = 0; t < length; t++) {
                    float p = probabilities[symbols[offset + t + 1] * length + t];
                    bits[offset + t] = -Math.log(Math.max(p, 1e-30f)) / Math.log(2);
                }
            }
        } finally {
            session.rnnClearPreviousState();
        }
        return bits;
    }
}
