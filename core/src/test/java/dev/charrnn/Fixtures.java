package dev.charrnn;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.text.EncodedText;

/** Texts generated in code and a tiny network that learns them: shared by the core's and the service's tests. */
public final class Fixtures {

    /** A sentence with a 24-character cycle: after a little context every next character is certain. */
    public static final String SENTENCE = "the cat sat on the mat. ";

    private Fixtures() {
    }

    public static String repeatedSentence(int times) {
        return SENTENCE.repeat(times);
    }

    /** {@code count} random lowercase words of 2 to 7 letters: a lexicon for generated texts. */
    public static java.util.List<String> words(java.util.Random random, int count) {
        java.util.List<String> words = new java.util.ArrayList<>();
        for (int w = 0; w < count; w++) {
            StringBuilder word = new StringBuilder();
            for (int i = 0, n = 2 + random.nextInt(6); i < n; i++) {
                word.append((char) ('a' + random.nextInt(26)));
            }
            words.add(word.toString());
        }
        return words;
    }

    /** Random words from a small lexicon: learnable, and small enough to memorise. */
    public static String wordSoup(int length, long seed) {
        java.util.Random random = new java.util.Random(seed);
        java.util.List<String> words = words(random, 30);
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            text.append(words.get(random.nextInt(words.size()))).append(random.nextInt(8) == 0 ? ".\n" : " ");
        }
        return text.toString();
    }

    public static EncodedText patternText() {
        return EncodedText.of(repeatedSentence(60), 0.1);
    }

    /** A small network that learns the pattern text in about a hundred steps. */
    public static ModelSpec tinySpec(CellType cell, long seed) {
        return ModelSpec.of(cell, 1, 32, 0.0, 16, 4, 0.02, seed);
    }
}
