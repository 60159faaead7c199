package dev.charrnn.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A byte range of one UTF-8 corpus file, read by one Spark task. It owns the characters whose
 * first byte lies in {@code [start, end)}: UTF-8 marks continuation bytes, so a reader skips the
 * tail of a character cut by {@code start} and finishes the one cut by {@code end}, and every
 * character of the file belongs to exactly one range. A byte-order mark at the start of a file is
 * not text (the service strips it from uploads too).
 *
 * <p>A class, not a record: Spark ships it with Kryo 4, which cannot build records.
 */
final class CorpusRange implements Serializable {

    private static final int MAX_CONTINUATION = 3;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final int index;
    private final String file;
    private final long start;
    private final long end;
    private final long fileLength;

    CorpusRange(int index, String file, long start, long end, long fileLength) {
        this.index = index;
        this.file = file;
        this.start = start;
        this.end = end;
        this.fileLength = fileLength;
    }

    int index() {
        return index;
    }

    @Override
    public String toString() {
        return file + " bytes " + start + "-" + end;
    }

    /**
     * The ranges of a corpus: one file, or every visible file of a folder (names starting with
     * '.' or '_' are skipped, as Hadoop does), in name order, cut every {@code splitBytes}.
     */
    static List<CorpusRange> plan(String uri, Configuration hadoop, long splitBytes) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        if (!fs.exists(path)) {
            throw new FileNotFoundException("the corpus " + uri + " does not exist");
        }
        FileStatus[] files = fs.getFileStatus(path).isDirectory()
                ? fs.listStatus(path, p -> !p.getName().startsWith(".") && !p.getName().startsWith("_"))
                : new FileStatus[] {fs.getFileStatus(path)};
        Arrays.sort(files, (a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
        List<CorpusRange> ranges = new ArrayList<>();
        for (FileStatus file : files) {
            if (!file.isFile()) {
                continue;
            }
            for (long start = 0; start < file.getLen(); start += splitBytes) {
                ranges.add(new CorpusRange(ranges.size(), file.getPath().toString(), start,
                        Math.min(start + splitBytes, file.getLen()), file.getLen()));
            }
        }
        if (ranges.isEmpty()) {
            throw new IOException("the corpus " + uri + " has no text: no non-empty files");
        }
        return ranges;
    }

    /** The range's characters as Unicode code points; invalid UTF-8 or a NUL fails with its byte offset. */
    int[] codePoints(Configuration hadoop) throws IOException {
        Path path = new Path(file);
        byte[] bytes = new byte[(int) (Math.min(end + MAX_CONTINUATION, fileLength) - start)];
        try (FSDataInputStream in = path.getFileSystem(hadoop).open(path)) {
            in.readFully(start, bytes, 0, bytes.length);
        }
        int from = start == 0 ? (startsWithBom(bytes) ? BOM.length : 0) : skipContinuation(bytes, 0);
        int to = Math.max(from, end == fileLength ? bytes.length : skipContinuation(bytes, (int) (end - start)));
        int[] codePoints = codePointsOf(decodeStrictly(bytes, from, to));
        for (int i = 0; i < codePoints.length; i++) {
            if (codePoints[i] == 0) {
                throw new IOException("the corpus file " + file + " contains a NUL character (binary data?) in bytes "
                        + start + "-" + end + "; use plain UTF-8 text");
            }
        }
        return codePoints;
    }

    private static boolean startsWithBom(byte[] bytes) {
        return bytes.length >= BOM.length && Arrays.equals(bytes, 0, BOM.length, BOM, 0, BOM.length);
    }

    /** The first position at or after {@code from} (at most 3 bytes on) that does not continue a character. */
    private static int skipContinuation(byte[] bytes, int from) {
        int i = from;
        while (i < bytes.length && i < from + MAX_CONTINUATION && (bytes[i] & 0xC0) == 0x80) {
            i++;
        }
        return i;
    }

    /** Exactly sized: a task holds a range's bytes, its UTF-16 and its code points, nothing more. */
    private static int[] codePointsOf(CharBuffer chars) {
        int[] codePoints = new int[Character.codePointCount(chars, 0, chars.length())];
        for (int i = 0, n = 0; n < codePoints.length; n++) {
            int codePoint = Character.codePointAt(chars, i);
            codePoints[n] = codePoint;
            i += Character.charCount(codePoint);
        }
        return codePoints;
    }

    private CharBuffer decodeStrictly(byte[] bytes, int from, int to) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new IOException("the corpus file " + file + " is not valid UTF-8: invalid byte sequence at byte offset "
                    + (start + in.position()) + "; convert it to UTF-8 (for example: iconv -f latin1 -t utf-8)");
        }
        return out.flip();
    }
}
