package dev.charrnn.generation.openai;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.charrnn.model.LoadedModel;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.sample.InferenceNetwork;
import dev.charrnn.sample.Sampler;
import dev.charrnn.text.CharVocabulary;

/**
 * The model's next-character distributions along a text, for logprobs and echo. The text is stepped
 * on the compiled network one character at a time, as the decoder steps a stream (a row's numbers do
 * not depend on what shares its step), so a generated character's logprob is exactly the one the
 * sampler drew it with; /score, which runs the DL4J layers, agrees to float rounding.
 */
final class Replay {

    /** As /score: a probability that underflowed to 0 still has a finite log. */
    private static final float FLOOR = 1e-30f;

    private final InferenceNetwork network;
    private final CharVocabulary vocabulary;
    private final long[] charCounts;
    private final int alternatives;
    private final InferenceNetwork.Row row;
    /** The distribution of the next character; null at the start of a text, where OpenAI reports none. */
    private float[] next;

    private Replay(InferenceNetwork network, CharVocabulary vocabulary, long[] charCounts, int alternatives,
                   InferenceNetwork.Row row, float[] next) {
        this.network = network;
        this.vocabulary = vocabulary;
        this.charCounts = charCounts;
        this.alternatives = alternatives;
        this.row = row;
        this.next = next;
    }

    /** At the start of a text, reporting {@code alternatives} most likely characters at each place. */
    static Replay start(LoadedModel model, int alternatives) {
        long[] counts = model.metadata().charCounts().stream().mapToLong(Long::longValue).toArray();
        return new Replay(model.inference(), model.vocabulary(), counts, alternatives, model.inference().newRow(), null);
    }

    /** An independent replay in the same place: the choices of one prompt share its pass. */
    Replay copy() {
        return new Replay(network, vocabulary, charCounts, alternatives, row.copy(), next == null ? null : next.clone());
    }

    /** Steps past {@code text} without scoring it. */
    void feed(String text) {
        for (int symbol : vocabulary.encode(text)) {
            step(symbol);
        }
    }

    /**
     * Where generation starts: after an empty prompt the sampler draws the first character from the
     * corpus frequencies, so its logprob is taken there too.
     */
    void beginCompletion() {
        if (next == null) {
            next = Sampler.frequencies(charCounts);
        }
    }

    /** The logprobs of each character of {@code text}, which starts at {@code offset} in its choice, stepping past them. */
    Completion.Logprobs score(String text, int offset) {
        Completion.Logprobs scored = Completion.Logprobs.empty();
        for (int symbol : vocabulary.encode(text)) {
            scored.tokens().add(vocabulary.decode(symbol));
            scored.tokenLogprobs().add(next == null ? null : logprob(next, symbol));
            scored.topLogprobs().add(next == null ? null : top(next, symbol));
            scored.textOffset().add(offset++);
            step(symbol);
        }
        return scored;
    }

    private void step(int symbol) {
        network.step(new InferenceNetwork.Row[] {row}, new int[] {symbol}, 1, Gang.CALLER_ONLY);
        next = row.probabilities();
    }

    /** The most likely characters, most likely first, and the chosen one wherever it ranks. */
    private Map<String, Double> top(float[] p, int chosen) {
        int[] best = new int[Math.min(alternatives, p.length)];
        int found = 0;
        for (int i = 0; i < p.length; i++) {
            int at = found < best.length ? found++ : best.length;
            while (at > 0 && p[i] > p[best[at - 1]]) {
                if (at < best.length) {
                    best[at] = best[at - 1];
                }
                at--;
            }
            if (at < best.length) {
                best[at] = i;
            }
        }
        Map<String, Double> ranked = new LinkedHashMap<>();
        for (int i = 0; i < found; i++) {
            ranked.put(vocabulary.decode(best[i]), logprob(p, best[i]));
        }
        ranked.putIfAbsent(vocabulary.decode(chosen), logprob(p, chosen));
        return ranked;
    }

    private static double logprob(float[] p, int symbol) {
        return Math.log(Math.max(p[symbol], FLOOR));
    }
}
