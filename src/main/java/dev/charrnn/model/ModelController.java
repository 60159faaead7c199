package dev.charrnn.model;

import java.util.List;
import java.util.function.Predicate;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.charrnn.system.ApiException;
import dev.charrnn.system.ProblemResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping("/api/models")
@Tag(name = "Models", description = "Registry of trained models")
public class ModelController {

    private final ModelStore store;
    private final ModelArchive archive;
    private final Predicate<String> beingTrained;
    private final ModelWriters.Readers readers;

    public ModelController(ModelStore store, ModelArchive archive, ModelWriters writers, ModelWriters.Readers readers) {
        this.store = store;
        this.archive = archive;
        this.beingTrained = writers::writes;
        this.readers = readers;
    }

    @GetMapping
    @Operation(operationId = "listModels", summary = "List trained models", description = "Oldest first")
    public List<ModelSummary> list() {
        return store.list().stream().map(m -> ModelSummary.of(m, store.sizeBytes(m.name()))).toList();
    }

    @GetMapping("/{name}")
    @ProblemResponses({400, 404, 409})
    @Operation(operationId = "getModel",
            summary = "One model", description = "Spec, vocabulary, corpus, final metrics and metrics history")
    public ModelMetadata get(@Parameter(example = "demo") @PathVariable String name) {
        return store.metadata(name);
    }

    @DeleteMapping("/{name}")
    @ProblemResponses({400, 404, 409})
    @ApiResponse(responseCode = "204", description = "Deleted")
    @Operation(operationId = "deleteModel",
            summary = "Delete a model", description = "409 while a training job writes it or requests generate from it")
    public ResponseEntity<Void> delete(@PathVariable String name) {
        store.requireExists(name); // a damaged model can be deleted
        if (beingTrained.test(name)) {
            throw ApiException.conflict("Model '" + name + "' is being written by a training job. Cancel the job first.");
        }
        int generating = readers.readers(name);
        if (generating > 0) {
            throw ApiException.conflict("Model '" + name + "' is serving " + generating + " generation request(s). "
                    + "Retry when they finish.");
        }
        store.delete(name);
        return ResponseEntity.noContent().build();
    }

    @GetMapping(value = "/{name}/download", produces = "application/zip")
    @ProblemResponses({400, 404, 409})
    @Operation(operationId = "downloadModel",
            summary = "Download a model", description = "A zip with model.json and model.zip (weights and "
            + "optimizer state): everything needed to serve it, or to import it into another instance.")
    public ResponseEntity<StreamingResponseBody> download(@Parameter(example = "demo") @PathVariable String name) {
        store.metadata(name);
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name + ".zip").build().toString())
                .contentType(MediaType.parseMediaType("application/zip"))
                .body(out -> archive.export(name, out));
    }

    @PostMapping(value = "/{name}/import", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ProblemResponses({400, 409, 413, 415, 507})
    @Operation(operationId = "importModel",
            summary = "Import a model", description = "Multipart 'file': a zip made by /download. It is checked "
            + "completely (metadata, weights, vocabulary) before it appears; a corrupt, truncated or foreign zip is "
            + "a 400 and leaves nothing behind.")
    @ApiResponse(responseCode = "201", description = "Imported")
    public ResponseEntity<ModelSummary> importModel(@PathVariable String name, @RequestPart("file") MultipartFile file)
            throws IOException {
        try (InputStream in = file.getInputStream()) {
            ModelMetadata imported = archive.importModel(name, in, file.getSize());
            return ResponseEntity.created(URI.create("/api/models/" + name))
                    .body(ModelSummary.of(imported, store.sizeBytes(name)));
        }
    }
}
