package dev.charrnn.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import dev.charrnn.system.ApiException;
import dev.charrnn.system.AtomicFiles;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.text.CharVocabulary;
import tools.jackson.databind.json.JsonMapper;

/**
 * Corpora on disk: {@code <dir>/<id>.txt} (UTF-8, no BOM) and {@code <dir>/<id>.json} (metadata).
 * The text is written first, so a metadata file always has its text beside it.
 */
@Service
public class CorpusStore {

    private static final Logger log = LoggerFactory.getLogger(CorpusStore.class);
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int MAX_NAME_LENGTH = 200;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    private final Path dir;
    private final CharRnnProperties.Limits limits;
    private final JsonMapper json;
    private final Map<String, Corpus> index = new ConcurrentHashMap<>();

    public CorpusStore(CharRnnProperties properties, JsonMapper json) {
        this.dir = properties.storage().corporaDir();
        this.limits = properties.limits();
        this.json = json;
        loadIndex();
    }

    /** Validates and stores a corpus; storing the same bytes again returns the existing corpus. */
    public Corpus store(String name, byte[] bytes) {
        return upload(name, bytes).corpus();
    }

    /** An upload's corpus, and whether it is new: the same bytes again give the corpus as first stored. */
    public record Upload(Corpus corpus, boolean created) {
    }

    public Upload upload(String name, byte[] bytes) {
        if (bytes.length > limits.maxCorpusSize().toBytes()) {
            throw tooLarge(bytes.length);
        }
        byte[] content = withoutBom(bytes);
        String text = decodeStrictUtf8(content, bytes.length - content.length);
        CharVocabulary vocabulary = validateText(text);
        String sha256 = sha256(content);
        String id = sha256.substring(0, 16);
        boolean[] created = {false};
        Corpus stored = index.computeIfAbsent(id, key -> {
            created[0] = true;
            Corpus corpus = new Corpus(key, cleanName(name), text.codePointCount(0, text.length()),
                    vocabulary.size(), sha256, Instant.now());
            byte[] document = json.writeValueAsBytes(corpus);
            LinkedHashMap<Path, AtomicFiles.FileWriter> files = new LinkedHashMap<>();
            files.put(textPath(key), file -> Files.write(file, content));
            files.put(metadataPath(key), file -> Files.write(file, document));
            AtomicFiles.writeAll(files);
            log.info("stored corpus {} ({} chars, vocabulary {})", key, corpus.chars(), corpus.vocabularySize());
            return corpus;
        });
        return new Upload(stored, created[0]);
    }

    public List<Corpus> list() {
        return index.values().stream().sorted(Comparator.comparing(Corpus::createdAt)).toList();
    }

    public Corpus get(String id) {
        Corpus corpus = index.get(id);
        if (corpus == null) {
            throw ApiException.notFound("No corpus with id '" + id + "'. GET /api/corpora lists the stored ones.");
        }
        return corpus;
    }

    public String readText(String id) {
        get(id);
        try {
            return Files.readString(textPath(id), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read corpus " + id, e);
        }
    }

    public void delete(String id) {
        get(id);
        index.remove(id);
        try {
            Files.deleteIfExists(metadataPath(id));
            Files.deleteIfExists(textPath(id));
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete corpus " + id, e);
        }
    }

    public ApiException tooLarge(long bytes) {
        return ApiException.tooLarge("The corpus is " + bytes + " bytes; the limit is "
                + limits.maxCorpusSize().toBytes() + " bytes (charrnn.limits.max-corpus-size). Upload a smaller text.");
    }

    private CharVocabulary validateText(String text) {
        if (text.isEmpty()) {
            throw ApiException.badRequest("The corpus is empty: no bytes arrived. Send a UTF-8 text of at least a few "
                    + "hundred characters as the body (with curl, --data-binary @file.txt, and check that the file "
                    + "exists: curl -s sends nothing for a missing one) or as the multipart field 'file'.");
        }
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw ApiException.badRequest("The corpus contains a NUL character at char offset " + nul
                    + "; it looks like a binary file. Upload plain UTF-8 text.");
        }
        CharVocabulary vocabulary = CharVocabulary.of(text);
        if (vocabulary.size() > limits.maxVocabularySize()) {
            throw ApiException.badRequest("The corpus has " + vocabulary.size() + " distinct characters; the limit is "
                    + limits.maxVocabularySize() + " (charrnn.limits.max-vocabulary-size).");
        }
        return vocabulary;
    }

    /** Decodes or names the first invalid byte, counted in the uploaded bytes (a stripped BOM included). */
    static String decodeStrictUtf8(byte[] bytes, int offsetInUpload) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw ApiException.badRequest("The corpus is not valid UTF-8: invalid byte sequence at byte offset "
                    + (in.position() + offsetInUpload) + ". Convert the file to UTF-8 (for example: iconv -f latin1 -t utf-8).");
        }
        return out.flip().toString();
    }

    private static byte[] withoutBom(byte[] bytes) {
        boolean bom = bytes.length >= 3 && Arrays.equals(bytes, 0, 3, UTF8_BOM, 0, 3);
        return bom ? Arrays.copyOfRange(bytes, 3, bytes.length) : bytes;
    }

    private static String cleanName(String name) {
        String printable = name == null ? "" : name.codePoints()
                .filter(cp -> !Character.isISOControl(cp))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString().strip();
        if (printable.isEmpty()) {
            return "corpus";
        }
        return printable.length() > MAX_NAME_LENGTH ? printable.substring(0, MAX_NAME_LENGTH) : printable;
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path textPath(String id) {
        return dir.resolve(id + ".txt");
    }

    private Path metadataPath(String id) {
        return dir.resolve(id + ".json");
    }

    private void loadIndex() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".json")).forEach(this::loadMetadata);
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
        log.info("{} corpora in {}", index.size(), dir.toAbsolutePath());
    }

    private void loadMetadata(Path file) {
        try {
            Corpus corpus = json.readValue(file.toFile(), Corpus.class);
            boolean named = file.getFileName().toString().equals(corpus.id() + ".json") && ID.matcher(corpus.id()).matches();
            if (named && Files.isRegularFile(textPath(corpus.id()))) {
                index.put(corpus.id(), corpus);
            }
        } catch (RuntimeException e) {
            log.warn("skipping unreadable corpus metadata {}: {}", file, e.getMessage());
        }
    }
}
