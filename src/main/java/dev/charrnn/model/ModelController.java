package dev.charrnn.model;

import java.util.List;
import java.util.function.Predicate;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.charrnn.system.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@RequestMapping("/api/models")
@Tag(name = "Models", description = "Registry of trained models")
public class ModelController {

    private final ModelStore store;
    private final Predicate<String> beingTrained;

    public ModelController(ModelStore store, ModelWriters writers) {
        this.store = store;
        this.beingTrained = writers::writes;
    }

    @GetMapping
    @Operation(summary = "List trained models", description = "Oldest first")
    public List<ModelSummary> list() {
        return store.list().stream().map(ModelSummary::of).toList();
    }

    @GetMapping("/{name}")
    @Operation(summary = "One model", description = "Spec, vocabulary, corpus, final metrics and metrics history")
    public ModelMetadata get(@Parameter(example = "demo") @PathVariable String name) {
        return store.metadata(name);
    }

    @DeleteMapping("/{name}")
    @Operation(summary = "Delete a model", description = "409 while a training job writes it")
    public ResponseEntity<Void> delete(@PathVariable String name) {
        store.metadata(name);
        if (beingTrained.test(name)) {
            throw ApiException.conflict("Model '" + name + "' is being written by a training job. Cancel the job first.");
        }
        store.delete(name);
        return ResponseEntity.noContent().build();
    }
}
