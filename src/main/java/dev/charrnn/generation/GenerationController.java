package dev.charrnn.generation;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.charrnn.system.ProblemResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

@RestController
@RequestMapping("/api/models/{name}")
@Tag(name = "Generation", description = "Sample and score text with trained models")
public class GenerationController {

    private final GenerationService generation;

    public GenerationController(GenerationService generation) {
        this.generation = generation;
    }

    @PostMapping("/generate")
    @ProblemResponses({400, 404, 409, 415, 503})
    @Operation(operationId = "generateText",
            summary = "Generate text", description = "Continues the prime one character at a time, carrying "
            + "the recurrent state; n samples run as one batch. The example works with the model the training "
            + "example creates (\"demo\").")
    public GenerateResponse generate(@Parameter(example = "demo") @PathVariable String name,
                                     @Valid @RequestBody(required = false) GenerateRequest request) {
        return generation.generate(name, request != null ? request : GenerateRequest.defaults());
    }

    @PostMapping(value = "/generate/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ProblemResponses({400, 404, 409, 415, 503})
    @Operation(operationId = "streamGeneratedText",
            summary = "Generate text as Server-Sent Events", description = "Events: 'chunk' {sample, text} "
            + "as characters become final, then 'done' with the same body as /generate. Closing the connection "
            + "stops the generation.")
    public SseEmitter stream(@Parameter(example = "demo") @PathVariable String name,
                             @Valid @RequestBody(required = false) GenerateRequest request) {
        return generation.stream(name, request != null ? request : GenerateRequest.defaults());
    }

    @PostMapping("/score")
    @ProblemResponses({400, 404, 409, 415, 503})
    @Operation(operationId = "scoreText",
            summary = "Score a text", description = "Bits per character and perplexity of the text under the "
            + "model (each character given the ones before it), optionally per character.")
    public ScoreResponse score(@Parameter(example = "demo") @PathVariable String name,
                               @Valid @RequestBody ScoreRequest request) {
        return generation.score(name, request);
    }
}
