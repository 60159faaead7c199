package dev.charrnn.generation;

/**
 * How to draw one continuation. Temperature 0 is greedy (argmax); otherwise the distribution is
 * p^(1/temperature), renormalised. The seed fixes the draw.
 */
public record SamplingParams(String prime, int length, double temperature, long seed) {
}
