package dev.charrnn.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.ProblemResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

@RestController
@RequestMapping("/api/corpora")
@Tag(name = "Corpora", description = "Upload and manage UTF-8 training texts")
public class CorpusController {

    private static final String UPLOAD_SUMMARY = "Upload a corpus (multipart file or text/plain body)";
    private static final String UPLOAD_DESCRIPTION = "Stores UTF-8 text as a corpus and returns its id. The same "
            + "bytes always give the same corpus. Send a multipart form with a 'file' part, or the text itself as "
            + "text/plain. The text/plain example is a small corpus that the training example (corpusId "
            + ExampleCorpus.ID + ") trains on as is.";

    private final CorpusStore store;
    private final CorpusReaders readers;
    private final long maxBytes;

    public CorpusController(CorpusStore store, CorpusReaders readers, CharRnnProperties properties) {
        this.store = store;
        this.readers = readers;
        this.maxBytes = properties.limits().maxCorpusSize().toBytes();
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ProblemResponses({400, 413, 415, 507})
    @Operation(operationId = "uploadCorpus", summary = UPLOAD_SUMMARY, description = UPLOAD_DESCRIPTION)
    @ApiResponse(responseCode = "201", description = "Stored")
    @ApiResponse(responseCode = "200", description = "Already stored: the same bytes are the same corpus, which keeps "
            + "the name it was first given")
    public ResponseEntity<Corpus> uploadFile(
            @RequestPart("file") MultipartFile file,
            @Parameter(description = "Name to show; defaults to the file name") @RequestParam(required = false) String name)
            throws IOException {
        if (file.getSize() > maxBytes) {
            throw store.tooLarge(file.getSize());
        }
        String shownName = name != null ? name : file.getOriginalFilename();
        return answer(store.upload(shownName, file.getBytes()));
    }

    @PostMapping(consumes = MediaType.TEXT_PLAIN_VALUE)
    @ProblemResponses({400, 413, 415, 507})
    @Operation(operationId = "uploadCorpus", summary = UPLOAD_SUMMARY, description = UPLOAD_DESCRIPTION)
    @ApiResponse(responseCode = "201", description = "Stored")
    @ApiResponse(responseCode = "200", description = "Already stored: the same bytes are the same corpus, which keeps "
            + "the name it was first given")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
            mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string", description = "UTF-8 text"),
            examples = @ExampleObject(name = "small corpus", value = ExampleCorpus.TEXT)))
    public ResponseEntity<Corpus> uploadText(
            HttpServletRequest request,
            @Parameter(hidden = true) @RequestHeader(value = "Content-Type", required = false) String contentType,
            @Parameter(description = "Name to show", example = "example") @RequestParam(required = false) String name)
            throws IOException {
        requireUtf8(contentType);
        if (request.getContentLengthLong() > maxBytes) {
            throw store.tooLarge(request.getContentLengthLong());
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        }
        if (body.length > maxBytes) {
            throw store.tooLarge(body.length);
        }
        return answer(store.upload(name, body));
    }

    @GetMapping
    @Operation(operationId = "listCorpora", summary = "List stored corpora")
    public List<Corpus> list() {
        return store.list();
    }

    @GetMapping("/{id}")
    @ProblemResponses({404})
    @Operation(operationId = "getCorpus", summary = "One corpus")
    public Corpus get(@Parameter(example = ExampleCorpus.ID) @PathVariable String id) {
        return store.get(id);
    }

    @DeleteMapping("/{id}")
    @ProblemResponses({404, 409})
    @ApiResponse(responseCode = "204", description = "Deleted")
    @Operation(operationId = "deleteCorpus",
            summary = "Delete a corpus", description = "Refused (409) while a queued or running job uses it. "
            + "Trained models keep their own vocabulary and do not need the corpus.")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        store.get(id);
        if (readers.reads(id)) {
            throw ApiException.conflict("Corpus '" + id + "' is used by a queued or running training job. "
                    + "Cancel the job or wait for it to finish, then delete the corpus.");
        }
        store.delete(id);
        return ResponseEntity.noContent().build();
    }

    private static void requireUtf8(String contentType) {
        if (contentType == null) {
            return;
        }
        Charset charset;
        try {
            charset = MediaType.parseMediaType(contentType).getCharset();
        } catch (RuntimeException e) {
            throw ApiException.unsupportedMediaType("Unreadable charset in Content-Type '" + contentType
                    + "'. Send text/plain; charset=UTF-8.");
        }
        if (charset != null && !charset.equals(StandardCharsets.UTF_8) && !charset.equals(StandardCharsets.US_ASCII)) {
            throw ApiException.unsupportedMediaType("The body is declared as " + charset.name()
                    + "; the service stores UTF-8 only. Convert the text to UTF-8 and send text/plain; charset=UTF-8.");
        }
    }

    /** 201 for a new corpus; 200 with the stored one (its first name kept) when these bytes were uploaded before. */
    private static ResponseEntity<Corpus> answer(CorpusStore.Upload upload) {
        URI location = URI.create("/api/corpora/" + upload.corpus().id());
        return upload.created() ? ResponseEntity.created(location).body(upload.corpus())
                : ResponseEntity.ok().location(location).body(upload.corpus());
    }
}
