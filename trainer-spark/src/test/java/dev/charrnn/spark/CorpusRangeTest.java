package dev.charrnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading a corpus in byte ranges: every character exactly once, wherever the cuts fall. */
class CorpusRangeTest {

    /** One-, two-, three- and four-byte characters, a combining mark, CRLF and a tab. */
    private static final String MIXED = "Ünïcødé: 中文字符, emoji 😀🎉 and e\u0301 too.\r\n\tΑλφα βήτα — 𝄞 clef.\n";

    @TempDir
    Path dir;

    private final Configuration hadoop = new Configuration();

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 64, 1 << 20})
    void rangesTogetherHoldEveryCharacterOnce(int splitBytes) throws IOException {
        String text = MIXED.repeat(5);
        Path file = write("corpus.txt", withBom(text));

        List<CorpusRange> ranges = CorpusRange.plan(file.toString(), hadoop, splitBytes);

        assertArrayEquals(text.codePoints().toArray(), concatenated(ranges), "split every " + splitBytes + " bytes");
        assertEquals((withBom(text).length + splitBytes - 1) / splitBytes, ranges.size());
    }

    @Test
    void aFolderIsItsVisibleFilesInNameOrder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("books"));
        Files.writeString(folder.resolve("b.txt"), "second 😀", StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("a.txt"), "first é ", StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("_SUCCESS"), "marker", StandardCharsets.UTF_8);
        Files.writeString(folder.resolve(".a.txt.crc"), "checksum", StandardCharsets.UTF_8);
        Files.createFile(folder.resolve("empty.txt"));

        List<CorpusRange> ranges = CorpusRange.plan(folder.toString(), hadoop, 3);

        assertArrayEquals("first é second 😀".codePoints().toArray(), concatenated(ranges));
    }

    @Test
    void invalidUtf8NamesItsByteOffset() throws IOException {
        byte[] ascii = "valid text ".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(ascii);
        bytes.writeBytes(new byte[] {(byte) 0xE9, 'x'}); // Latin-1 é
        Path file = write("latin1.txt", bytes.toByteArray());

        IOException e = assertThrows(IOException.class,
                () -> concatenated(CorpusRange.plan(file.toString(), hadoop, 1 << 20)));

        assertTrue(e.getMessage().contains("not valid UTF-8") && e.getMessage().contains("offset " + ascii.length),
                e.getMessage());
    }

    @Test
    void aNulCharacterIsRefused() throws IOException {
        Path file = write("binary.txt", "text\0more".getBytes(StandardCharsets.UTF_8));

        IOException e = assertThrows(IOException.class,
                () -> concatenated(CorpusRange.plan(file.toString(), hadoop, 1 << 20)));

        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
    }

    @Test
    void aMissingCorpusSaysSo() {
        String missing = dir.resolve("nowhere.txt").toString();

        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> CorpusRange.plan(missing, hadoop, 64));

        assertTrue(e.getMessage().contains(missing + " does not exist"), e.getMessage());
    }

    private int[] concatenated(List<CorpusRange> ranges) throws IOException {
        IntStream.Builder all = IntStream.builder();
        for (CorpusRange range : ranges) {
            for (int codePoint : range.codePoints(hadoop)) {
                all.add(codePoint);
            }
        }
        return all.build().toArray();
    }

    private static byte[] withBom(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        bytes.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }
}
