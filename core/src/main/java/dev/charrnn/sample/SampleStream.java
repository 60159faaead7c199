package dev.charrnn.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.charrnn.text.CharVocabulary;

/** One continuation being generated: its text, random numbers, stop handling and what was emitted. */
final class SampleStream {

    private final int index;
    private final SplittableRandom random;
    private final StringBuilder text = new StringBuilder();
    private final List<Double> logprobs;
    private String finishReason;
    private int emitted;

    SampleStream(int index, SplittableRandom random, boolean logprobs) {
        this.index = index;
        this.random = random;
        this.logprobs = logprobs ? new ArrayList<>() : null;
    }

    /** The streams of a request: sample i draws from its own random numbers, sample 0 from the seed itself. */
    static List<SampleStream> of(SamplingParams params) {
        List<SampleStream> streams = new ArrayList<>();
        for (int i = 0; i < params.n(); i++) {
            streams.add(new SampleStream(i, new SplittableRandom(params.seed() + i * 0x9E3779B97F4A7C15L),
                    params.logprobs()));
        }
        return streams;
    }

    /** Characters a stream holds back while they could still become a stop sequence. */
    static int holdBack(SamplingParams params) {
        return params.stop().stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    int index() {
        return index;
    }

    SplittableRandom random() {
        return random;
    }

    boolean active() {
        return finishReason == null;
    }

    /** Appends the drawn character and ends the stream when the text now ends in a stop sequence. */
    int append(int symbol, float[] distribution, CharVocabulary vocabulary, SamplingParams params) {
        text.append(vocabulary.decode(symbol));
        if (logprobs != null) {
            logprobs.add(Math.log(distribution[symbol]));
        }
        for (String stop : params.stop()) {
            if (!stop.isEmpty() && text.length() >= stop.length()
                    && text.lastIndexOf(stop) == text.length() - stop.length()) {
                text.setLength(text.length() - stop.length());
                if (logprobs != null) {
                    logprobs.subList(logprobs.size() - stop.codePointCount(0, stop.length()), logprobs.size()).clear();
                }
                finish("stop");
                break;
            }
        }
        return symbol;
    }

    void finish(String reason) {
        finishReason = reason;
    }

    /** Hands over text that can no longer change; {@code holdBack} chars may still become a stop sequence. */
    void emit(Sampler.Listener listener, int holdBack) {
        int end = active() ? text.length() - holdBack : text.length();
        if (end > emitted && end > 0 && end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        if (end > emitted) {
            listener.onText(index, text.substring(emitted, end));
            emitted = end;
        }
    }

    Sampler.Sample toSample() {
        return new Sampler.Sample(text.toString(), finishReason, logprobs);
    }
}
