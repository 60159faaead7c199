package dev.charrnn.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import dev.charrnn.corpus.CharVocabulary;
import dev.charrnn.corpus.OneHot;

/**
 * The decoding loop. The prime is fed once as a sequence, then one character per step with the
 * recurrent state kept in the network ({@code rnnTimeStep}), so cost is linear in the length.
 * The {@code n} samples of a request run as one batch: one network step serves them all.
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

    public static String sample(MultiLayerNetwork session, CharVocabulary vocabulary, long[] charCounts,
                                SamplingParams params) {
        return sample(session, vocabulary, charCounts, params, SILENT).get(0).text();
    }

    /**
     * Generates {@code params.n()} continuations of {@code params.length()} code points at most.
     * With an empty prime each starts from a character drawn from the corpus frequencies.
     * {@code session} must be private to the caller; its recurrent state is reset first.
     */
    public static List<Sample> sample(MultiLayerNetwork session, CharVocabulary vocabulary, long[] charCounts,
                                      SamplingParams params, Listener listener) {
        int vocabularySize = vocabulary.size();
        int holdBack = SampleStream.holdBack(params);
        List<SampleStream> streams = SampleStream.of(params);
        session.rnnClearPreviousState();
        try {
            float[][] next = params.prime().isEmpty()
                    ? startFromFrequencies(session, vocabulary, charCounts, params, streams, listener, holdBack)
                    : feedPrime(session, vocabulary.encode(params.prime()), params.n(), vocabularySize);
            int produced = params.prime().isEmpty() ? 1 : 0;
            for (; produced < params.length() && streams.stream().anyMatch(SampleStream::active); produced++) {
                if (listener.cancelled()) {
                    streams.stream().filter(SampleStream::active).forEach(s -> s.finish("cancelled"));
                    break;
                }
                int[] symbols = new int[streams.size()];
                for (SampleStream stream : streams) {
                    symbols[stream.index()] = stream.active()
                            ? stream.append(draw(next[stream.index()], params, stream.random()), next[stream.index()], vocabulary, params)
                            : 0;
                    stream.emit(listener, holdBack);
                }
                if (produced + 1 < params.length()) {
                    next = step(session, symbols, vocabularySize);
                }
            }
        } finally {
            session.rnnClearPreviousState();
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

    private static float[][] startFromFrequencies(MultiLayerNetwork session, CharVocabulary vocabulary, long[] counts,
                                                  SamplingParams params, List<SampleStream> streams, Listener listener,
                                                  int holdBack) {
        float[] frequencies = frequencies(counts);
        int[] symbols = new int[streams.size()];
        for (SampleStream stream : streams) {
            symbols[stream.index()] = stream.append(draw(frequencies, 1.0, null, null, stream.random()), frequencies,
                    vocabulary, params);
            stream.emit(listener, holdBack);
        }
        return step(session, symbols, vocabulary.size());
    }

    private static float[][] feedPrime(MultiLayerNetwork session, int[] prime, int rows, int vocabularySize) {
        INDArray out = session.rnnTimeStep(OneHot.windows(prime, new int[rows], prime.length, vocabularySize));
        INDArray last = out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(prime.length - 1));
        return rows(last.dup('c').data().asFloat(), rows, vocabularySize);
    }

    private static float[][] step(MultiLayerNetwork session, int[] symbols, int vocabularySize) {
        INDArray out = session.rnnTimeStep(OneHot.step(symbols, vocabularySize));
        return rows(out.dup('c').data().asFloat(), symbols.length, vocabularySize);
    }

    private static float[][] rows(float[] flat, int rows, int width) {
        float[][] result = new float[rows][];
        for (int r = 0; r < rows; r++) {
            result[r] = Arrays.copyOfRange(flat, r * width, (r + 1) * width);
        }
        return result;
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
    static float[] frequencies(long[] counts) {
        float[] p = new float[counts.length];
        double total = Arrays.stream(counts).sum();
        for (int i = 0; i < counts.length; i++) {
            p[i] = total > 0 ? (float) (counts[i] / total) : 1f / counts.length;
        }
        return p;
    }
}
