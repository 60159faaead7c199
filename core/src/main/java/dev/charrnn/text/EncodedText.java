package dev.charrnn.text;

/**
 * A corpus as vocabulary indices, split by position: the first part trains, the tail validates.
 * Holding int indices (not one-hot windows) keeps memory proportional to the corpus.
 */
public record EncodedText(CharVocabulary vocabulary, int[] symbols, int validationStart) {

    public static EncodedText of(String text, double validationFraction) {
        return of(text, validationFraction, CharVocabulary.of(text));
    }

    /** Encodes with a given vocabulary (a model's), which must contain every character of the text. */
    public static EncodedText of(String text, double validationFraction, CharVocabulary vocabulary) {
        int[] symbols = vocabulary.encode(text);
        int validationLength = (int) Math.round(symbols.length * validationFraction);
        return new EncodedText(vocabulary, symbols, symbols.length - validationLength);
    }

    public int trainLength() {
        return validationStart;
    }

    public int validationLength() {
        return symbols.length - validationStart;
    }

    /** Occurrences of each vocabulary entry in the training split. */
    public long[] trainCounts() {
        long[] counts = new long[vocabulary.size()];
        for (int i = 0; i < validationStart; i++) {
            counts[symbols[i]]++;
        }
        return counts;
    }
}
