package dev.charrnn.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EncodedTextTest {

    @Test
    void validationIsTheTailOfTheText() {
        String text = "abcdefghij".repeat(9) + "0123456789";
        double fraction = 0.1;
        int expectedValidationLength = (int) Math.round(text.length() * fraction);

        EncodedText encoded = EncodedText.of(text, fraction);

        assertThat(encoded.validationStart()).isEqualTo(text.length() - expectedValidationLength);
        assertThat(encoded.validationLength()).isEqualTo(expectedValidationLength);
        assertThat(encoded.trainLength()).isEqualTo(encoded.validationStart());
        assertThat(decode(encoded, encoded.validationStart(), encoded.symbols().length)).isEqualTo("0123456789");
        assertThat(decode(encoded, 0, encoded.validationStart())).isEqualTo("abcdefghij".repeat(9));
    }

    @Test
    void validationLengthIsRoundedFractionOfLength() {
        String text = "x".repeat(7);

        EncodedText encoded = EncodedText.of(text, 0.25);

        // 7 * 0.25 = 1.75 rounds to 2
        assertThat(encoded.validationLength()).isEqualTo(Math.round(7 * 0.25));
        assertThat(encoded.validationStart()).isEqualTo(7 - Math.round(7 * 0.25));
    }

    @Test
    void lengthsAreInCodePoints() {
        String emoji = Character.toString(0x1F600);
        String text = emoji.repeat(8) + "ab";

        EncodedText encoded = EncodedText.of(text, 0.2);

        assertThat(encoded.symbols()).hasSize(10);
        assertThat(encoded.validationStart()).isEqualTo(8);
        assertThat(decode(encoded, 8, 10)).isEqualTo("ab");
    }

    @Test
    void trainCountsCountOnlyTheTrainingPart() {
        String train = "aab" + "aab" + "c";
        String validation = "bbbcc";
        String text = train + validation;
        double fraction = (double) validation.length() / text.length();

        EncodedText encoded = EncodedText.of(text, fraction);
        long[] counts = encoded.trainCounts();
        CharVocabulary vocabulary = encoded.vocabulary();

        assertThat(encoded.validationStart()).isEqualTo(train.length());
        assertThat(counts[vocabulary.indexOf('a')]).isEqualTo(count(train, 'a'));
        assertThat(counts[vocabulary.indexOf('b')]).isEqualTo(count(train, 'b'));
        assertThat(counts[vocabulary.indexOf('c')]).isEqualTo(count(train, 'c'));
        assertThat(sum(counts)).isEqualTo(train.length());
    }

    @Test
    void characterOnlyInValidationTailIsStillInVocabulary() {
        String text = "ab".repeat(20) + "Z";

        EncodedText encoded = EncodedText.of(text, 0.1);
        CharVocabulary vocabulary = encoded.vocabulary();

        assertThat(encoded.validationStart()).isLessThanOrEqualTo(text.indexOf('Z'));
        assertThat(vocabulary.contains('Z')).isTrue();
        assertThat(encoded.trainCounts()[vocabulary.indexOf('Z')]).isZero();
        assertThat(encoded.symbols()[text.length() - 1]).isEqualTo(vocabulary.indexOf('Z'));
    }

    @Test
    void zeroFractionLeavesEverythingForTraining() {
        EncodedText encoded = EncodedText.of("hello", 0.0);

        assertThat(encoded.validationStart()).isEqualTo(5);
        assertThat(encoded.validationLength()).isZero();
    }

    private static String decode(EncodedText encoded, int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < to; i++) {
            out.append(encoded.vocabulary().decode(encoded.symbols()[i]));
        }
        return out.toString();
    }

    private static long count(String text, char c) {
        return text.chars().filter(ch -> ch == c).count();
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            total += v;
        }
        return total;
    }
}
