package dev.charrnn.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class CharSequenceIteratorTest {

    private static final String ALPHABET = "abcdefgh";

    /** A long deterministic text where any window of a dozen characters is practically unique. */
    private static String randomText(int length, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    @Test
    void featuresAndLabelsHaveRecurrentShape() {
        String text = randomText(1_000, 1);
        CharVocabulary vocabulary = CharVocabulary.of(text);
        int batchSize = 4;
        int seqLength = 25;

        DataSet ds = new CharSequenceIterator(vocabulary.encode(text), 0, text.length(), vocabulary.size(),
                batchSize, seqLength).next();

        long[] expected = {batchSize, vocabulary.size(), seqLength};
        assertThat(ds.getFeatures().shape()).containsExactly(expected);
        assertThat(ds.getLabels().shape()).containsExactly(expected);
    }

    @Test
    void featuresAndLabelsAreOneHot() {
        String text = randomText(1_000, 2);
        CharVocabulary vocabulary = CharVocabulary.of(text);
        CharSequenceIterator iterator = new CharSequenceIterator(vocabulary.encode(text), 0, text.length(),
                vocabulary.size(), 3, 20);

        DataSet ds = iterator.next();

        assertOneHot(ds.getFeatures());
        assertOneHot(ds.getLabels());
    }

    @Test
    void labelsAreFeaturesShiftedByOneCharacterInTheSameStream() {
        String text = randomText(2_000, 3);
        CharVocabulary vocabulary = CharVocabulary.of(text);
        int batchSize = 5;
        int seqLength = 30;
        CharSequenceIterator iterator = new CharSequenceIterator(vocabulary.encode(text), 0, text.length(),
                vocabulary.size(), batchSize, seqLength);

        while (iterator.hasNext()) {
            DataSet ds = iterator.next();
            for (int r = 0; r < batchSize; r++) {
                String features = decodeRow(ds.getFeatures(), r, vocabulary);
                String labels = decodeRow(ds.getLabels(), r, vocabulary);
                assertThat(labels.substring(0, seqLength - 1)).isEqualTo(features.substring(1));
                // the pair (features + last label) is a real stretch of the text
                assertThat(text).contains(features + labels.charAt(seqLength - 1));
            }
        }
    }

    @Test
    void eachRowContinuesWhereItStoppedInThePreviousMinibatch() {
        String text = randomText(3_001, 4);
        CharVocabulary vocabulary = CharVocabulary.of(text);
        int batchSize = 4;
        int seqLength = 25;
        CharSequenceIterator iterator = new CharSequenceIterator(vocabulary.encode(text), 0, text.length(),
                vocabulary.size(), batchSize, seqLength);
        List<DataSet> epoch = drain(iterator);

        for (int w = 0; w + 1 < epoch.size(); w++) {
            for (int r = 0; r < batchSize; r++) {
                String labelsNow = decodeRow(epoch.get(w).getLabels(), r, vocabulary);
                String featuresNext = decodeRow(epoch.get(w + 1).getFeatures(), r, vocabulary);
                assertThat(featuresNext.charAt(0)).isEqualTo(labelsNow.charAt(seqLength - 1));
            }
        }
    }

    @Test
    void rowsAreContiguousStreamsCoveringTheRange() {
        String text = randomText(2_503, 5);
        CharVocabulary vocabulary = CharVocabulary.of(text);
        int from = 100;
        int to = 2_400;
        int batchSize = 3;
        int seqLength = 20;
        int streamLength = CharSequenceIterator.streamLength(to - from, batchSize);
        CharSequenceIterator iterator = new CharSequenceIterator(vocabulary.encode(text), from, to,
                vocabulary.size(), batchSize, seqLength);
        List<DataSet> epoch = drain(iterator);
        int covered = epoch.size() * seqLength;

        for (int r = 0; r < batchSize; r++) {
            StringBuilder row = new StringBuilder();
            for (DataSet ds : epoch) {
                row.append(decodeRow(ds.getFeatures(), r, vocabulary));
            }
            int start = from + r * streamLength;
            assertThat(row).hasToString(text.substring(start, start + covered));
        }
    }

    @Test
    void epochHasStreamLengthOverSeqLengthWindows() {
        int rangeLength = 1_234;
        int batchSize = 6;
        int seqLength = 17;
        int expectedWindows = CharSequenceIterator.streamLength(rangeLength, batchSize) / seqLength;
        CharSequenceIterator iterator = new CharSequenceIterator(new int[rangeLength], 0, rangeLength, 2,
                batchSize, seqLength);

        assertThat(expectedWindows).isEqualTo(((rangeLength - 1) / batchSize) / seqLength);
        assertThat(iterator.windowsPerEpoch()).isEqualTo(expectedWindows);
        assertThat(drain(iterator)).hasSize(expectedWindows);
        assertThat(iterator.hasNext()).isFalse();
    }

    @Test
    void resetRestartsTheEpoch() {
        String text = randomText(800, 6);
        CharVocabulary vocabulary = CharVocabulary.of(text);
        CharSequenceIterator iterator = new CharSequenceIterator(vocabulary.encode(text), 0, text.length(),
                vocabulary.size(), 2, 30);
        DataSet first = iterator.next();
        drain(iterator);

        iterator.reset();

        assertThat(iterator.hasNext()).isTrue();
        DataSet again = iterator.next();
        assertThat(again.getFeatures()).isEqualTo(first.getFeatures());
        assertThat(again.getLabels()).isEqualTo(first.getLabels());
        assertThat(drain(iterator)).hasSize(iterator.windowsPerEpoch() - 1);
    }

    @ParameterizedTest(name = "range length = batch * seq * 4 + {0}")
    @ValueSource(ints = {0, 1, 2, 3})
    void neverReadsOutsideTheRange(int extra) {
        int sentinel = 0;
        int vocabularySize = 5;
        int batchSize = 3;
        int seqLength = 7;
        int from = 11;
        int to = from + batchSize * seqLength * 4 + extra;
        int[] symbols = new int[to + 50];
        Arrays.fill(symbols, sentinel);
        Random random = new Random(7);
        for (int i = from; i < to; i++) {
            symbols[i] = 1 + random.nextInt(vocabularySize - 1);
        }
        CharSequenceIterator iterator = new CharSequenceIterator(symbols, from, to, vocabularySize, batchSize,
                seqLength);

        List<DataSet> epoch = drain(iterator);

        assertThat(epoch).hasSize(iterator.windowsPerEpoch()).isNotEmpty();
        for (DataSet ds : epoch) {
            assertThat(ds.getFeatures().sumNumber().doubleValue()).isEqualTo(batchSize * seqLength);
            assertThat(hotCount(ds.getFeatures(), sentinel)).isZero();
            assertThat(hotCount(ds.getLabels(), sentinel)).isZero();
        }
    }

    @Test
    void lastLabelOfTightestRangeIsTheSymbolJustBeforeTo() {
        int batchSize = 2;
        int seqLength = 4;
        int from = 3;
        int to = from + batchSize * seqLength + 1;
        int[] symbols = new int[to + 3];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = i; // symbol = position, so argmax tells where a value was read
        }
        CharSequenceIterator iterator = new CharSequenceIterator(symbols, from, to, symbols.length, batchSize,
                seqLength);

        DataSet ds = iterator.next();

        assertThat(iterator.hasNext()).isFalse();
        assertThat(argmax(ds.getFeatures(), 0, 0)).isEqualTo(from);
        assertThat(argmax(ds.getLabels(), batchSize - 1, seqLength - 1)).isEqualTo(to - 1);
    }

    @Test
    void rangeTooShortForTheStreamsIsRejected() {
        int batchSize = 4;
        int seqLength = 10;
        int[] symbols = new int[1_000];

        assertThatThrownBy(() -> new CharSequenceIterator(symbols, 0, batchSize * seqLength, 2, batchSize, seqLength))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too short");
        assertThat(new CharSequenceIterator(symbols, 0, batchSize * seqLength + 1, 2, batchSize, seqLength)
                .windowsPerEpoch()).isEqualTo(1);
    }

    @Test
    void emptyRangeIsRejected() {
        assertThatThrownBy(() -> new CharSequenceIterator(new int[10], 5, 5, 2, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<DataSet> drain(CharSequenceIterator iterator) {
        List<DataSet> all = new ArrayList<>();
        while (iterator.hasNext()) {
            all.add(iterator.next());
        }
        return all;
    }

    private static void assertOneHot(INDArray array) {
        long rows = array.size(0);
        long vocabulary = array.size(1);
        long time = array.size(2);
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < time; t++) {
                float sum = 0;
                for (int v = 0; v < vocabulary; v++) {
                    float value = array.getFloat(r, v, t);
                    assertThat(value).isIn(0f, 1f);
                    sum += value;
                }
                assertThat(sum).as("column (%d, %d)", r, t).isEqualTo(1f);
            }
        }
    }

    private static int argmax(INDArray array, int row, int t) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < array.size(1); v++) {
            float value = array.getFloat(row, v, t);
            if (value > bestValue) {
                bestValue = value;
                best = v;
            }
        }
        return best;
    }

    private static String decodeRow(INDArray array, int row, CharVocabulary vocabulary) {
        StringBuilder out = new StringBuilder();
        for (int t = 0; t < array.size(2); t++) {
            out.append(vocabulary.decode(argmax(array, row, t)));
        }
        return out.toString();
    }

    private static int hotCount(INDArray array, int symbol) {
        int count = 0;
        for (int r = 0; r < array.size(0); r++) {
            for (int t = 0; t < array.size(2); t++) {
                if (array.getFloat(r, symbol, t) != 0f) {
                    count++;
                }
            }
        }
        return count;
    }
}
