package dev.charrnn.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import tools.jackson.databind.json.JsonMapper;

class CorpusStoreTest {

    private static final int MAX_CORPUS_BYTES = 4_096;
    private static final int MAX_VOCABULARY = 50;
    private static final String EMOJI = Character.toString(0x1F600);

    @TempDir
    Path tempDir;

    private Path corporaDir;
    private CorpusStore store;

    @BeforeEach
    void createStore() {
        corporaDir = tempDir.resolve("corpora");
        store = newStore();
    }

    private CorpusStore newStore() {
        CharRnnProperties.Limits limits = dev.charrnn.TestSupport.limits(DataSize.ofBytes(MAX_CORPUS_BYTES), MAX_VOCABULARY);
        CharRnnProperties properties = dev.charrnn.TestSupport.properties(tempDir, limits);
        return new CorpusStore(properties, JsonMapper.builder().build());
    }

    @Test
    void idIsFirstSixteenHexDigitsOfSha256() {
        byte[] bytes = utf8("to be or not to be\n");

        Corpus corpus = store.store("hamlet.txt", bytes);

        assertThat(corpus.sha256()).isEqualTo(sha256Hex(bytes));
        assertThat(corpus.id()).isEqualTo(sha256Hex(bytes).substring(0, 16)).hasSize(16);
        assertThat(corpus.name()).isEqualTo("hamlet.txt");
    }

    @Test
    void charsAndVocabularyCountCodePoints() {
        String text = "ab" + EMOJI + "中" + EMOJI + "\n";

        Corpus corpus = store.store("mixed", utf8(text));

        assertThat(corpus.chars()).isEqualTo(text.codePointCount(0, text.length())).isEqualTo(6);
        assertThat(corpus.vocabularySize()).isEqualTo(5);
    }

    @Test
    void storingSameBytesTwiceReturnsSameCorpusWithoutDuplicateFiles() throws IOException {
        byte[] bytes = utf8("same text, same id\n");

        Corpus first = store.store("one", bytes);
        Corpus second = store.store("two", bytes);

        assertThat(second).isEqualTo(first);
        assertThat(store.list()).hasSize(1);
        assertThat(filesIn(corporaDir)).containsExactlyInAnyOrder(first.id() + ".txt", first.id() + ".json");
    }

    @Test
    void differentTextsGetDifferentIds() {
        Corpus a = store.store("a", utf8("first text"));
        Corpus b = store.store("b", utf8("second text"));

        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(store.list()).extracting(Corpus::id).containsExactlyInAnyOrder(a.id(), b.id());
    }

    @Test
    void utf8BomIsStripped() {
        byte[] plain = utf8("text after a byte order mark\n");
        byte[] withBom = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, plain);

        Corpus corpus = store.store("bom", withBom);

        assertThat(corpus.id()).isEqualTo(sha256Hex(plain).substring(0, 16));
        assertThat(corpus.chars()).isEqualTo(plain.length);
        assertThat(store.readText(corpus.id())).doesNotStartWith("\uFEFF").isEqualTo(new String(plain, StandardCharsets.UTF_8));
        assertThat(store.store("plain", plain).id()).isEqualTo(corpus.id());
    }

    @Test
    void invalidUtf8IsBadRequestNamingTheByteOffset() {
        byte[] bytes = {0x61, (byte) 0xC3, 0x28};

        ApiException e = apiException(() -> store.store("bad", bytes));

        assertThat(e.getStatusCode().value()).isEqualTo(400);
        assertThat(e.getBody().getDetail()).contains("UTF-8").contains("byte offset 1");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void truncatedUtf8SequenceAtTheEndIsBadRequest() {
        byte[] bytes = concat(utf8("abc"), new byte[] {(byte) 0xF0, (byte) 0x9F});

        ApiException e = apiException(() -> store.store("cut", bytes));

        assertThat(e.getStatusCode().value()).isEqualTo(400);
        assertThat(e.getBody().getDetail()).contains("byte offset 3");
    }

    @Test
    void invalidUtf8AfterBomReportsOffsetInUploadedBytes() {
        byte[] bytes = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 0x61, (byte) 0xC3, 0x28};

        ApiException e = apiException(() -> store.store("bad", bytes));

        assertThat(e.getStatusCode().value()).isEqualTo(400);
        assertThat(e.getBody().getDetail()).contains("byte offset 4");
    }

    @Test
    void emptyCorpusIsBadRequest() {
        ApiException e = apiException(() -> store.store("empty", new byte[0]));

        assertThat(e.getStatusCode().value()).isEqualTo(400);
        assertThat(e.getBody().getDetail()).contains("empty");
    }

    @Test
    void bomOnlyCorpusIsEmptyAndBadRequest() {
        ApiException e = apiException(() -> store.store("bom", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}));

        assertThat(e.getStatusCode().value()).isEqualTo(400);
    }

    @Test
    void nulCharacterIsBadRequest() {
        String text = "abc\0def";

        ApiException e = apiException(() -> store.store("binary", utf8(text)));

        assertThat(e.getStatusCode().value()).isEqualTo(400);
        assertThat(e.getBody().getDetail()).contains("NUL").contains("offset " + text.indexOf('\0'));
        assertThat(store.list()).isEmpty();
    }

    @Test
    void vocabularyOverTheLimitIsBadRequestNamingTheLimit() {
        String text = distinctCharacters(MAX_VOCABULARY + 1);

        ApiException e = apiException(() -> store.store("wide", utf8(text)));

        assertThat(e.getStatusCode().value()).isEqualTo(400);
        assertThat(e.getBody().getDetail())
                .contains(Integer.toString(MAX_VOCABULARY + 1))
                .contains("limit is " + MAX_VOCABULARY)
                .contains("max-vocabulary-size");
    }

    @Test
    void vocabularyAtTheLimitIsAccepted() {
        Corpus corpus = store.store("full", utf8(distinctCharacters(MAX_VOCABULARY)));

        assertThat(corpus.vocabularySize()).isEqualTo(MAX_VOCABULARY);
    }

    @Test
    void corpusOverMaxSizeIsContentTooLarge() {
        byte[] bytes = utf8("x".repeat(MAX_CORPUS_BYTES + 1));

        ApiException e = apiException(() -> store.store("big", bytes));

        assertThat(e.getStatusCode().value()).isEqualTo(413);
        assertThat(e.getBody().getDetail()).contains(Integer.toString(MAX_CORPUS_BYTES)).contains("max-corpus-size");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void corpusOfExactlyMaxSizeIsAccepted() {
        Corpus corpus = store.store("edge", utf8("y".repeat(MAX_CORPUS_BYTES)));

        assertThat(corpus.chars()).isEqualTo(MAX_CORPUS_BYTES);
    }

    @Test
    void onRestartMetadataWhoseIdDoesNotMatchItsFileIsIgnored() throws IOException {
        Files.createDirectories(corporaDir);
        Files.writeString(tempDir.resolve("x.txt"), "outside the store");
        Files.writeString(corporaDir.resolve("0123456789abcdef.json"),
                "{\"id\":\"../x\",\"name\":\"n\",\"chars\":1,\"vocabularySize\":1,\"sha256\":\"00\","
                        + "\"createdAt\":\"2026-01-01T00:00:00Z\"}");

        assertThat(newStore().list()).isEmpty();
    }

    @Test
    void newStoreOnSameDirectoryListsStoredCorpus() {
        Corpus stored = store.store("kept.txt", utf8("survives a restart " + EMOJI + "\n"));

        CorpusStore restarted = newStore();

        assertThat(restarted.list()).containsExactly(stored);
        assertThat(restarted.get(stored.id())).isEqualTo(stored);
        assertThat(restarted.readText(stored.id())).isEqualTo("survives a restart " + EMOJI + "\n");
    }

    @Test
    void listIsOrderedByCreationTime() throws InterruptedException {
        Corpus first = store.store("1", utf8("first"));
        Thread.sleep(5);
        Corpus second = store.store("2", utf8("second"));
        Thread.sleep(5);
        Corpus third = store.store("3", utf8("third"));

        assertThat(store.list()).containsExactly(first, second, third);
        assertThat(newStore().list()).containsExactly(first, second, third);
    }

    @Test
    void deleteRemovesBothFilesAndTheIndexEntry() throws IOException {
        Corpus corpus = store.store("gone", utf8("soon deleted"));
        assertThat(filesIn(corporaDir)).hasSize(2);

        store.delete(corpus.id());

        assertThat(filesIn(corporaDir)).isEmpty();
        assertThat(store.list()).isEmpty();
        assertThat(apiException(() -> store.get(corpus.id())).getStatusCode().value()).isEqualTo(404);
        assertThat(newStore().list()).isEmpty();
    }

    @Test
    void unknownIdIsNotFound() {
        store.store("present", utf8("something"));

        assertThat(apiException(() -> store.get("0123456789abcdef")).getStatusCode().value()).isEqualTo(404);
        assertThat(apiException(() -> store.readText("0123456789abcdef")).getStatusCode().value()).isEqualTo(404);
        assertThat(apiException(() -> store.delete("0123456789abcdef")).getStatusCode().value()).isEqualTo(404);
    }

    @Test
    void pathLikeIdsAreNotFoundAndTouchNoOutsideFiles() throws IOException {
        store.store("inside", utf8("inside the corpora dir"));
        Path outsideText = Files.writeString(tempDir.resolve("x.txt"), "outside");
        Path outsideJson = Files.writeString(tempDir.resolve("x.json"), "{}");

        for (String id : List.of("../x", "..", "../corpora/../x", "/etc/passwd", "..\\x")) {
            assertThat(apiException(() -> store.get(id)).getStatusCode().value()).as(id).isEqualTo(404);
            assertThat(apiException(() -> store.readText(id)).getStatusCode().value()).as(id).isEqualTo(404);
            assertThat(apiException(() -> store.delete(id)).getStatusCode().value()).as(id).isEqualTo(404);
        }

        assertThat(outsideText).hasContent("outside");
        assertThat(outsideJson).hasContent("{}");
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void readTextReturnsExactlyTheStoredText() {
        String text = "Line one\r\nLine two\tTabbed\nКириллица 中文 " + EMOJI + "\n\n  trailing spaces  ";

        Corpus corpus = store.store("exact", utf8(text));

        assertThat(store.readText(corpus.id())).isEqualTo(text);
    }

    @Test
    void blankOrControlOnlyNameFallsBackToDefault() {
        Corpus corpus = store.store("\u0007\t ", utf8("nameless"));

        assertThat(corpus.name()).isEqualTo("corpus");
    }

    private static String distinctCharacters(int count) {
        return IntStream.range(0, count)
                .map(i -> 'A' + i)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }

    private static ApiException apiException(ThrowingCallable call) {
        ApiException e = catchThrowableOfType(ApiException.class, call);
        assertThat(e).as("expected an ApiException").isNotNull();
        return e;
    }

    private static List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
