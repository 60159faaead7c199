package dev.charrnn.sample;

import java.util.List;

/**
 * How to draw continuations. Temperature 0 is greedy (argmax); otherwise the distribution is
 * p^(1/temperature), then cut to the {@code topK} most likely characters and to the smallest set
 * whose probability reaches {@code topP}, renormalised. The seed fixes every draw; sample i of
 * {@code n} uses its own stream of random numbers derived from it (sample 0 uses the seed itself).
 */
public record SamplingParams(String prime, int length, double temperature, Integer topK, Double topP, long seed,
                             List<String> stop, int n, boolean logprobs) {

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** One sample of plain temperature sampling. */
    public static SamplingParams simple(String prime, int length, double temperature, long seed) {
        return new SamplingParams(prime, length, temperature, null, null, seed, List.of(), 1, false);
    }
}
