package dev.charrnn.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class CharVocabularyTest {

    private static final int GRINNING_FACE = 0x1F600;
    private static final String EMOJI = Character.toString(GRINNING_FACE);
    private static final int CJK_MIDDLE = 0x4E2D;
    private static final int FULLWIDTH_Z = 0xFF5A;

    @Test
    void emojiAndCjkCountAsOneSymbolEach() {
        String text = EMOJI + "中" + EMOJI;

        CharVocabulary vocabulary = CharVocabulary.of(text);

        assertThat(text.length()).isEqualTo(5);
        assertThat(vocabulary.size()).isEqualTo(2);
        assertThat(vocabulary.codePoints()).containsExactly(CJK_MIDDLE, GRINNING_FACE);
    }

    @Test
    void vocabularyIsSortedByCodePointNotByUtf16Char() {
        // As UTF-16 chars the emoji's high surrogate (U+D83D) sorts before U+FF5A; as a code point it sorts after.
        String text = EMOJI + "b" + Character.toString(FULLWIDTH_Z) + "a中b" + EMOJI;

        CharVocabulary vocabulary = CharVocabulary.of(text);

        assertThat(vocabulary.codePoints())
                .containsExactly((int) 'a', (int) 'b', CJK_MIDDLE, FULLWIDTH_Z, GRINNING_FACE);
    }

    @Test
    void encodeThenDecodeRestoresMixedText() {
        String text = "Hello, мир! 中文 " + EMOJI + "\nend" + EMOJI;
        CharVocabulary vocabulary = CharVocabulary.of(text);

        int[] indices = vocabulary.encode(text);

        assertThat(indices).hasSize(text.codePointCount(0, text.length()));
        StringBuilder decoded = new StringBuilder();
        for (int index : indices) {
            decoded.append(vocabulary.decode(index));
        }
        assertThat(decoded).hasToString(text);
    }

    @Test
    void indexOfIsPositionInSortedVocabulary() {
        CharVocabulary vocabulary = CharVocabulary.of("cab");

        assertThat(vocabulary.indexOf('a')).isZero();
        assertThat(vocabulary.indexOf('b')).isEqualTo(1);
        assertThat(vocabulary.indexOf('c')).isEqualTo(2);
        assertThat(vocabulary.codePointAt(2)).isEqualTo('c');
    }

    @Test
    void indexOfUnknownIsMinusOne() {
        CharVocabulary vocabulary = CharVocabulary.of("abc");

        assertThat(vocabulary.indexOf('z')).isEqualTo(-1);
        assertThat(vocabulary.indexOf(GRINNING_FACE)).isEqualTo(-1);
        assertThat(vocabulary.contains('z')).isFalse();
        assertThat(vocabulary.contains('a')).isTrue();
    }

    @Test
    void unknownInListsUnknownCodePointsOnceInOrderOfFirstAppearance() {
        CharVocabulary vocabulary = CharVocabulary.of("abc");

        assertThat(vocabulary.unknownIn("az" + EMOJI + "bzxa" + EMOJI + "x"))
                .containsExactly((int) 'z', GRINNING_FACE, (int) 'x');
    }

    @Test
    void unknownInIsEmptyForKnownText() {
        assertThat(CharVocabulary.of("abc").unknownIn("cabbacab")).isEmpty();
    }

    @Test
    void encodeRejectsUnknownCharacter() {
        CharVocabulary vocabulary = CharVocabulary.of("abc");

        assertThatThrownBy(() -> vocabulary.encode("ab" + EMOJI))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+1F600");
    }

    @Test
    void fromCodePointsRejectsDuplicates() {
        assertThatThrownBy(() -> CharVocabulary.fromCodePoints(List.of((int) 'a', (int) 'b', (int) 'a')))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromCodePointsSortsDistinctInput() {
        CharVocabulary vocabulary = CharVocabulary.fromCodePoints(List.of(GRINNING_FACE, (int) 'b', (int) 'a'));

        assertThat(vocabulary.codePoints()).containsExactly((int) 'a', (int) 'b', GRINNING_FACE);
        assertThat(vocabulary.indexOf(GRINNING_FACE)).isEqualTo(2);
    }

    @Test
    void describeShowsEmojiWithItsCodePoint() {
        assertThat(CharVocabulary.describe(GRINNING_FACE)).contains("U+1F600").contains(EMOJI);
    }

    @Test
    void describeShowsPrintableCharacterAndPaddedCodePoint() {
        assertThat(CharVocabulary.describe('x')).contains("'x'").contains("U+0078");
    }

    @Test
    void describeDoesNotPrintRawNewline() {
        String described = CharVocabulary.describe('\n');

        assertThat(described).contains("U+000A").doesNotContain("\n").doesNotContain("\r");
    }
}
