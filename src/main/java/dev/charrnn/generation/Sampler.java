package dev.charrnn.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.charrnn.corpus.CharVocabulary;
import dev.charrnn.model.Gang;
import dev.charrnn.model.inference.InferenceNetwork;

/**
 * The decoding loop on the compiled network: the prime is fed once, then one character per step
 * with each stream's recurrent state in its own row, so cost is linear in the length. The
 * {@code n} samples of a request share the prime's pass and then step together.
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
        Gang threads = gang.acquire();
        try {
            return sampleWith(network, vocabulary, charCounts, params, listener, threads);
        } finally {
            threads.release();
        }
    }

    private static List<Sample> sampleWith(InferenceNetwork network, CharVocabulary vocabulary, long[] charCounts,
                                           SamplingParams params, Listener listener, Gang threads) {
        int holdBack = SampleStream.holdBack(params);
        List<SampleStream> streams = SampleStream.of(params);
        InferenceNetwork.Row[] rows = start(network, vocabulary, charCounts, params, streams, listener, holdBack, threads);
        int produced = params.prime().isEmpty() ? 1 : 0;
        InferenceNetwork.Row[] active = new InferenceNetwork.Row[rows.length];
        int[] symbols = new int[rows.length];
        for (; produced < params.length() && streams.stream().anyMatch(SampleStream::active); produced++) {
            if (listener.cancelled()) {
                streams.stream().filter(SampleStream::active).forEach(s -> s.finish("cancelled"));
                break;
            }
            int count = 0;
            for (SampleStream stream : streams) {
                if (stream.active()) {
                    float[] p = rows[stream.index()].probabilities();
                    symbols[count] = stream.append(draw(p, params, stream.random()), p, vocabulary, params);
                    active[count++] = rows[stream.index()];
                }
                stream.emit(listener, holdBack);
            }
            if (produced + 1 < params.length()) {
                network.step(active, symbols, count, threads);
            }
        }
        List<Sample> samples = new ArrayList<>();
        for (SampleStream stream : streams) {
            if (stream.active()) {
                stream.finish("length");
            }
            stream.emit(listener, 0);
            samples.add(stream.toSample());
        }
        return samples;
    }

    /**
     * The streams' rows, each holding the distribution of its next character: after the prime (fed
     * once, then copied to every stream), or after a first character drawn from the corpus frequencies.
     */
    static InferenceNetwork.Row[] start(InferenceNetwork network, CharVocabulary vocabulary, long[] counts,
                                        SamplingParams params, List<SampleStream> streams, Listener listener,
                                        int holdBack, Gang threads) {
        InferenceNetwork.Row primed = network.newRow();
        network.feed(primed, vocabulary.encode(params.prime()));
        InferenceNetwork.Row[] rows = new InferenceNetwork.Row[streams.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i == 0 ? primed : primed.copy();
        }
        if (params.prime().isEmpty()) {
            float[] frequencies = frequencies(counts);
            int[] first = new int[rows.length];
            for (SampleStream stream : streams) {
                first[stream.index()] = stream.append(draw(frequencies, 1.0, null, null, stream.random()), frequencies,
                        vocabulary, params);
                stream.emit(listener, holdBack);
            }
            network.step(rows, first, rows.length, threads);
        }
        return rows;
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
