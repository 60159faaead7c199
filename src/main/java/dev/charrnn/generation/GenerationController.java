package dev.charrnn.generation;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

@RestController
@RequestMapping("/api/models/{name}")
@Tag(name = "Generation", description = "Sample text from trained models")
public class GenerationController {

    private final GenerationService generation;

    public GenerationController(GenerationService generation) {
        this.generation = generation;
    }

    @PostMapping("/generate")
    @Operation(summary = "Generate text", description = "Continues the prime one character at a time, carrying "
            + "the recurrent state. The example works with the model the training example creates (\"demo\").")
    public GenerateResponse generate(@Parameter(example = "demo") @PathVariable String name,
                                     @Valid @RequestBody(required = false) GenerateRequest request) {
        return generation.generate(name, request != null ? request : new GenerateRequest(null, null, null, null));
    }
}
