package dev.charrnn.sample;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Simple properties of every character of a text, as Karpathy, Johnson and Fei-Fei (2015) looked
 * for them in LSTM cells. Each value describes the text once character t has been read, which is
 * when the network's state after step t knows it: the opening quote is inside the quotes, the
 * closing one outside.
 */
public final class TextFeatures {

    public static final String INSIDE_QUOTES = "insideQuotes";
    public static final String BRACKET_DEPTH = "bracketDepth";
    public static final String SINCE_NEWLINE = "sinceNewline";
    public static final String WHITESPACE = "whitespace";
    public static final String WORD_START = "wordStart";

    private TextFeatures() {
    }

    /** Each feature's meaning in words. */
    public static String describe(String feature) {
        return switch (feature) {
            case INSIDE_QUOTES -> "1 inside double quotes (\" toggles, \u201c opens, \u201d closes), else 0";
            case BRACKET_DEPTH -> "nesting depth of ( [ { after this character";
            case SINCE_NEWLINE -> "characters since the last newline (0 on the newline)";
            case WHITESPACE -> "1 on whitespace, else 0";
            case WORD_START -> "1 on the first letter or digit of a word, else 0";
            default -> throw new IllegalArgumentException("no feature " + feature);
        };
    }

    /** Every feature of every code point, in the order above. */
    public static Map<String, double[]> of(int[] codePoints) {
        int n = codePoints.length;
        double[] quotes = new double[n];
        double[] depth = new double[n];
        double[] column = new double[n];
        double[] space = new double[n];
        double[] wordStart = new double[n];
        boolean inside = false;
        int level = 0;
        int sinceNewline = 0;
        boolean previousInWord = false;
        for (int t = 0; t < n; t++) {
            int c = codePoints[t];
            if (c == '"') {
                inside = !inside;
            } else if (c == '\u201c') {
                inside = true;
            } else if (c == '\u201d') {
                inside = false;
            }
            if (c == '(' || c == '[' || c == '{') {
                level++;
            } else if ((c == ')' || c == ']' || c == '}') && level > 0) {
                level--;
            }
            sinceNewline = c == '\n' ? 0 : sinceNewline + 1;
            boolean inWord = Character.isLetterOrDigit(c);
            quotes[t] = inside ? 1 : 0;
            depth[t] = level;
            column[t] = sinceNewline;
            space[t] = Character.isWhitespace(c) ? 1 : 0;
            wordStart[t] = inWord && !previousInWord ? 1 : 0;
            previousInWord = inWord;
        }
        Map<String, double[]> features = new LinkedHashMap<>();
        features.put(INSIDE_QUOTES, quotes);
        features.put(BRACKET_DEPTH, depth);
        features.put(SINCE_NEWLINE, column);
        features.put(WHITESPACE, space);
        features.put(WORD_START, wordStart);
        return features;
    }
}
