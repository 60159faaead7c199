package dev.charrnn.generation.openai;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import dev.charrnn.system.ProblemResponses;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

/** OpenAI's /v1/models and /v1/completions, so OpenAI's SDKs and evaluation tools work with a base URL. */
@RestController
@RequestMapping("/v1")
@Tag(name = "OpenAI-compatible", description = "OpenAI's completions API over the trained models: point an OpenAI "
        + "SDK at <server>/v1. One character is one token")
public class OpenAiController {

    private final CompletionService completions;

    public OpenAiController(CompletionService completions) {
        this.completions = completions;
    }

    @GetMapping("/models")
    @Operation(operationId = "listOpenAiModels", summary = "List models (OpenAI shape)",
            description = "The trained models, oldest first; an id is what a completion's model names")
    public ModelList models() {
        return completions.models();
    }

    @GetMapping("/models/{id}")
    @ProblemResponses({404, 409})
    @Operation(operationId = "getOpenAiModel", summary = "One model (OpenAI shape)")
    public ModelList.Model model(@Parameter(example = "demo") @PathVariable String id) {
        return completions.model(id);
    }

    @PostMapping("/completions")
    @ProblemResponses({400, 404, 409, 415, 503})
    @Operation(operationId = "createCompletion", summary = "Complete text (OpenAI shape)", description = "Continues "
            + "each prompt as OpenAI's legacy completions do, one character per token, through the same batcher, "
            + "limits and seeds as /api/models/{name}/generate. With stream, Server-Sent Events 'data: {chunk}' "
            + "and last 'data: [DONE]'; closing the connection stops the generation. With echo, logprobs and "
            + "max_tokens 0 it scores the prompt, as evaluation harnesses ask. The examples use the model the "
            + "training example creates (\"demo\").")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
            schema = @Schema(implementation = CompletionRequest.class), examples = {
                    @ExampleObject(name = "complete", summary = "A seeded completion", value = "{\"model\": \"demo\", "
                            + "\"prompt\": \"the cat \", \"max_tokens\": 40, \"temperature\": 0.8, \"seed\": 7}"),
                    @ExampleObject(name = "logprobs", summary = "Three choices with the top 2 alternatives per "
                            + "character", value = "{\"model\": \"demo\", \"prompt\": \"the \", \"max_tokens\": 20, "
                            + "\"n\": 3, \"logprobs\": 2, \"stop\": [\".\"], \"seed\": 7}"),
                    @ExampleObject(name = "score", summary = "Score the prompt (echo, max_tokens 0)", value = "{\"model\": "
                            + "\"demo\", \"prompt\": \"the cat sat on the mat.\", \"max_tokens\": 0, \"echo\": true, "
                            + "\"logprobs\": 0}"),
                    @ExampleObject(name = "stream", summary = "Stream the characters as they come", value = "{\"model\": "
                            + "\"demo\", \"prompt\": \"the \", \"max_tokens\": 60, \"stream\": true, \"seed\": 7}")}))
    @ApiResponse(responseCode = "200", description = "The completion; with stream, its chunks as Server-Sent Events",
            content = {@Content(mediaType = "application/json", schema = @Schema(implementation = Completion.class)),
                    @Content(mediaType = "text/event-stream", schema = @Schema(type = "string",
                            description = "'data: {chunk}' events (each a Completion), then 'data: [DONE]'"))})
    public ResponseEntity<ResponseBodyEmitter> complete(@RequestBody CompletionRequest request) {
        return completions.complete(request);
    }

    /** Chat needs a chat model; a clear 404 beats a client's guess at why its call failed. */
    @Hidden
    @RequestMapping("/chat/completions")
    public void chat() {
        throw OpenAiException.notFound("There is no /v1/chat/completions: a character model continues text and has "
                + "no chat format. Use POST /v1/completions with a prompt.");
    }

    /** Any other /v1 route (embeddings, a method the routes do not take): what there is, in OpenAI's envelope. */
    @Hidden
    @RequestMapping("/**")
    public void elsewhere(HttpServletRequest request) {
        throw OpenAiException.notFound("There is no " + request.getMethod() + " " + request.getRequestURI() + ". This "
                + "service offers GET /v1/models, GET /v1/models/{id} and POST /v1/completions (one character is "
                + "one token).");
    }
}
