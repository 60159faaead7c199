package dev.charrnn.text;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The characters a model knows: sorted, distinct Unicode code points (not UTF-16 chars, so an
 * emoji or a CJK extension character is one symbol). Index i is the i-th one-hot position.
 */
public final class CharVocabulary {

    private final int[] codePoints;

    private CharVocabulary(int[] sortedDistinct) {
        this.codePoints = sortedDistinct;
    }

    public static CharVocabulary of(String text) {
        return new CharVocabulary(text.codePoints().sorted().distinct().toArray());
    }

    public static CharVocabulary fromCodePoints(List<Integer> codePoints) {
        int[] sorted = codePoints.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
        if (sorted.length != codePoints.size()) {
            throw new IllegalArgumentException("vocabulary code points must be distinct");
        }
        return new CharVocabulary(sorted);
    }

    public int size() {
        return codePoints.length;
    }

    /** Index of a code point, or -1 when it is not in the vocabulary. */
    public int indexOf(int codePoint) {
        int i = Arrays.binarySearch(codePoints, codePoint);
        return i >= 0 ? i : -1;
    }

    public int codePointAt(int index) {
        return codePoints[index];
    }

    public boolean contains(int codePoint) {
        return indexOf(codePoint) >= 0;
    }

    /** Encodes text to indices; every code point must be known (see {@link #unknownIn}). */
    public int[] encode(String text) {
        return text.codePoints().map(cp -> {
            int i = indexOf(cp);
            if (i < 0) {
                throw new IllegalArgumentException("character " + describe(cp) + " is not in the vocabulary");
            }
            return i;
        }).toArray();
    }

    /** Code points of {@code text} missing from this vocabulary, in order of first appearance. */
    public Set<Integer> unknownIn(String text) {
        Set<Integer> unknown = new LinkedHashSet<>();
        text.codePoints().filter(cp -> !contains(cp)).forEach(unknown::add);
        return unknown;
    }

    public String decode(int index) {
        return Character.toString(codePoints[index]);
    }

    public List<Integer> codePoints() {
        return IntStream.of(codePoints).boxed().toList();
    }

    /** Code points as an error message lists them: the first 20, then how many more. */
    public static String describeAll(Set<Integer> codePoints) {
        String shown = codePoints.stream().limit(20).map(CharVocabulary::describe)
                .collect(Collectors.joining(", "));
        return codePoints.size() > 20 ? shown + " and " + (codePoints.size() - 20) + " more" : shown;
    }

    /** A code point as a human can read it in an error message: 'x' (U+0078). */
    public static String describe(int codePoint) {
        String shown = Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)
                ? "" : "'" + Character.toString(codePoint) + "' ";
        return shown + String.format("(U+%04X)", codePoint);
    }
}
