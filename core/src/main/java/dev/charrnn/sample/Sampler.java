package dev.charrnn.sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.text.CharVocabulary;

/**
 * Sampling from the compiled network: one request decoded on its own (a batch of one in the
 * {@link Decoder}), and the draw of one character from a distribution. The prime is fed once,
 * then one character per step with each stream's state in its own row, so cost is linear in the
 * length; the {@code n} samples of a request share the prime's pass and then step together.
 */
public final class Sampler {

    /** One continuation: its text (prime and stop sequence excluded) and why it ended. */
    public record Sample(String text, String finishReason, List<Double> logprobs) {
    }

    /** Receives text as soon as it is final: never a character a stop sequence could still remove. */
    public interface Listener {
        void onText(int sample, String text);

        /** Checked between steps: true ends generation (finish reason "cancelled"). */
        default boolean cancelled() {
            return false;
        }
    }

    private static final Listener SILENT = (sample, text) -> { };

    private Sampler() {
    }

    public static String sample(InferenceNetwork network, CharVocabulary vocabulary, long[] charCounts,
                                SamplingParams params) {
        return sample(network, vocabulary, charCounts, params, SILENT).get(0).text();
    }

    /**
     * Generates {@code params.n()} continuations of {@code params.length()} code points at most.
     * With an empty prime each starts from a character drawn from the corpus frequencies.
     */
    public static List<Sample> sample(InferenceNetwork network, CharVocabulary vocabulary, long[] charCounts,
                                      SamplingParams params, Listener listener) {
        return sample(network, vocabulary, charCounts, params, listener, Gang.CALLER_ONLY);
    }

    /** As above, with every step shared among the threads of {@code gang} (when no one else holds it). */
    public static List<Sample> sample(InferenceNetwork network, CharVocabulary vocabulary, long[] charCounts,
                                      SamplingParams params, Listener listener, Gang gang) {
        Decoder decoder = new Decoder(network, vocabulary, charCounts);
        List<List<Sample>> done = new ArrayList<>(1);
        decoder.admit(params, listener, done::add);
        Gang threads = gang.acquire();
        try {
            while (!decoder.isEmpty()) {
                decoder.step(threads);
            }
        } finally {
            threads.release();
        }
        return done.get(0);
    }

    static int draw(float[] probabilities, SamplingParams params, SplittableRandom random) {
        return draw(probabilities, params.temperature(), params.topK(), params.topP(), random);
    }

    /** Index drawn from p^(1/temperature) cut to topK / topP; temperature 0 picks the most likely. */
    static int draw(float[] probabilities, double temperature, Integer topK, Double topP, SplittableRandom random) {
        if (temperature == 0) {
            return argmax(probabilities);
        }
        double[] weights = new double[probabilities.length];
        double maxLog = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.log(probabilities[i]) / temperature;
            maxLog = Math.max(maxLog, weights[i]);
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.exp(weights[i] - maxLog);
        }
        if ((topK != null && topK < weights.length) || (topP != null && topP < 1)) {
            truncate(weights, topK == null ? weights.length : topK, topP == null ? 1.0 : topP);
        }
        double total = Arrays.stream(weights).sum();
        double u = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return argmax(probabilities);
    }

    /** Zeroes every weight outside the k largest and outside the smallest prefix holding topP of the mass. */
    private static void truncate(double[] weights, int topK, double topP) {
        Integer[] order = new Integer[weights.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(weights[b], weights[a]));
        double total = Arrays.stream(weights).sum();
        double kept = 0;
        for (int rank = 0; rank < order.length; rank++) {
            if (rank >= topK || kept >= topP * total) {
                weights[order[rank]] = 0;
            } else {
                kept += weights[order[rank]];
            }
        }
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

    /** The corpus character frequencies: where a sample with an empty prime starts. */
    public static float[] frequencies(long[] counts) {
        float[] p = new float[counts.length];
        double total = Arrays.stream(counts).sum();
        for (int i = 0; i < counts.length; i++) {
            p[i] = total > 0 ? (float) (counts[i] / total) : 1f / counts.length;
        }
        return p;
    }
}
