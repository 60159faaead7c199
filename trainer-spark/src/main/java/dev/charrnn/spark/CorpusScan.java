package dev.charrnn.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.IntStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;

import dev.charrnn.text.CharVocabulary;
import dev.charrnn.text.EncodedText;

/**
 * The distributed first pass over a corpus: each task counts the characters of its range, so the
 * driver learns the vocabulary, where each range starts in the text, and where the held-out tail
 * begins without ever holding the corpus. The tail (at most {@code maxValidationChars}) is the only
 * text the driver reads, for its per-epoch validation.
 */
final class CorpusScan {

    /** What one range holds: its length in characters and how often each code point occurs (a class for Kryo 4). */
    static final class RangeCounts implements Serializable {
        private final int index;
        private final long length;
        private final int[] codePoints;
        private final long[] counts;

        RangeCounts(int index, long length, int[] codePoints, long[] counts) {
            this.index = index;
            this.length = length;
            this.codePoints = codePoints;
            this.counts = counts;
        }

        int index() {
            return index;
        }

        long length() {
            return length;
        }

        int[] codePoints() {
            return codePoints;
        }

        long[] counts() {
            return counts;
        }

        static RangeCounts of(CorpusRange range, Configuration hadoop) throws IOException {
            int[] text = range.codePoints(hadoop);
            long[] perCodePoint = new long[Character.MAX_CODE_POINT + 1]; // 9 MB, one pass
            for (int codePoint : text) {
                perCodePoint[codePoint]++;
            }
            int[] present = IntStream.range(0, perCodePoint.length).filter(cp -> perCodePoint[cp] > 0).toArray();
            return new RangeCounts(range.index(), text.length, present,
                    IntStream.of(present).mapToLong(cp -> perCodePoint[cp]).toArray());
        }
    }

    private final List<CorpusRange> ranges;
    private final long[] offsets;
    private final long length;
    private final CharVocabulary vocabulary;
    private final long[] counts;

    private CorpusScan(List<CorpusRange> ranges, List<RangeCounts> perRange) {
        this.ranges = ranges;
        this.offsets = new long[ranges.size()];
        TreeMap<Integer, Long> total = new TreeMap<>();
        long position = 0;
        for (RangeCounts range : perRange) {
            offsets[range.index()] = position;
            position += range.length();
            for (int i = 0; i < range.codePoints().length; i++) {
                total.merge(range.codePoints()[i], range.counts()[i], Long::sum);
            }
        }
        this.length = position;
        this.vocabulary = CharVocabulary.fromCodePoints(List.copyOf(total.keySet()));
        this.counts = total.values().stream().mapToLong(Long::longValue).toArray();
    }

    /** Counts every range on the cluster, one task per range. */
    static CorpusScan run(JavaSparkContext sc, List<CorpusRange> ranges, Broadcast<SerializableHadoopConfig> hadoop) {
        List<RangeCounts> perRange = new ArrayList<>(sc.parallelize(ranges, ranges.size())
                .map(range -> RangeCounts.of(range, hadoop.value().getConfiguration()))
                .collect());
        perRange.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return new CorpusScan(ranges, perRange);
    }

    long length() {
        return length;
    }

    CharVocabulary vocabulary() {
        return vocabulary;
    }

    /** Characters in range {@code index}. */
    long length(int index) {
        return (index + 1 < offsets.length ? offsets[index + 1] : length) - offsets[index];
    }

    /** Where range {@code index} starts, in characters from the start of the corpus. */
    long offset(int index) {
        return offsets[index];
    }

    /** The held-out tail's length: the service's validation fraction, capped so the driver can evaluate it. */
    long validationLength(double fraction, long maxValidationChars) {
        return Math.min(Math.round(length * fraction), maxValidationChars);
    }

    /** The last {@code validationLength} characters, read on the driver from the ranges that hold them. */
    EncodedText validationTail(long validationLength, Configuration hadoop) throws IOException {
        long tailStart = length - validationLength;
        int[] symbols = new int[Math.toIntExact(validationLength)];
        int filled = 0;
        for (CorpusRange range : ranges) {
            long rangeEnd = offsets[range.index()] + length(range.index());
            if (rangeEnd <= tailStart || length(range.index()) == 0) {
                continue;
            }
            int[] text = range.codePoints(hadoop);
            for (int i = (int) Math.max(0, tailStart - offsets[range.index()]); i < text.length; i++) {
                symbols[filled++] = vocabulary.indexOf(text[i]);
            }
        }
        return new EncodedText(vocabulary, symbols, 0);
    }

    /** Occurrences of each vocabulary entry before the tail: the corpus's counts minus the tail's. */
    long[] trainCounts(EncodedText tail) {
        long[] train = counts.clone();
        for (int symbol : tail.symbols()) {
            train[symbol]--;
        }
        return train;
    }
}
