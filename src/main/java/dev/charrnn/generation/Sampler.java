package dev.charrnn.generation;

import java.util.SplittableRandom;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.corpus.CharVocabulary;
import dev.charrnn.corpus.OneHot;

/**
 * The decoding loop. The prime is fed once as a sequence, then one character per step with the
 * recurrent state kept in the network ({@code rnnTimeStep}), so cost is linear in the length.
 */
public final class Sampler {

    private Sampler() {
    }

    /**
     * Generates {@code params.length()} characters after the prime (the prime is not repeated).
     * With an empty prime the first character is drawn from the corpus character frequencies.
     * {@code session} must be private to the caller; its state is reset first.
     */
    public static String sample(MultiLayerNetwork session, CharVocabulary vocabulary, long[] charCounts,
                                SamplingParams params) {
        SplittableRandom random = new SplittableRandom(params.seed());
        int vocabularySize = vocabulary.size();
        int[] prime = vocabulary.encode(params.prime());
        StringBuilder text = new StringBuilder(params.length());
        session.rnnClearPreviousState();
        float[] next;
        int produced = 0;
        if (prime.length > 0) {
            INDArray out = session.rnnTimeStep(OneHot.windows(prime, new int[] {0}, prime.length, vocabularySize));
            next = lastStep(out, prime.length);
        } else {
            int first = draw(frequencies(charCounts), 1.0, random);
            text.append(vocabulary.decode(first));
            produced = 1;
            next = step(session, first, vocabularySize);
        }
        for (; produced < params.length(); produced++) {
            int symbol = draw(next, params.temperature(), random);
            text.append(vocabulary.decode(symbol));
            if (produced + 1 < params.length()) {
                next = step(session, symbol, vocabularySize);
            }
        }
        session.rnnClearPreviousState();
        return text.toString();
    }

    /** Index drawn from p^(1/temperature); temperature 0 picks the most likely index. */
    static int draw(float[] probabilities, double temperature, SplittableRandom random) {
        if (temperature == 0) {
            return argmax(probabilities);
        }
        double[] weights = new double[probabilities.length];
        double maxLog = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.log(probabilities[i]) / temperature;
            maxLog = Math.max(maxLog, weights[i]);
        }
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.exp(weights[i] - maxLog);
            total += weights[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return argmax(probabilities);
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static float[] step(MultiLayerNetwork session, int symbol, int vocabularySize) {
        return session.rnnTimeStep(OneHot.step(new int[] {symbol}, vocabularySize)).toFloatVector();
    }

    private static float[] lastStep(INDArray out, int length) {
        return out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(length - 1)).toFloatVector();
    }

    private static float[] frequencies(long[] counts) {
        float[] p = new float[counts.length];
        double total = 0;
        for (long c : counts) {
            total += c;
        }
        for (int i = 0; i < counts.length; i++) {
            p[i] = total > 0 ? (float) (counts[i] / total) : 1f / counts.length;
        }
        return p;
    }
}
