package dev.charrnn.generation.openai;

import org.springframework.http.HttpStatusCode;

import io.swagger.v3.oas.annotations.media.Schema;

/** The OpenAI error envelope that every /v1 error answers with, so that SDKs raise their typed exceptions. */
@Schema(name = "OpenAiError", description = "An error, as OpenAI's API answers it; error.message says what to change",
        requiredProperties = "error")
public record OpenAiError(Body error) {

    @Schema(name = "OpenAiErrorBody", requiredProperties = {"message", "type"})
    public record Body(
            @Schema(description = "What went wrong and what to change",
                    example = "best_of must be 1 (got 3): returning the best of several samples is not implemented.")
            String message,
            @Schema(description = "invalid_request_error for a request to change (4xx), server_error otherwise",
                    example = "invalid_request_error")
            String type,
            @Schema(description = "The request field at fault, when there is one", example = "best_of")
            String param,
            @Schema(description = "A machine-readable reason, when there is one: model_not_found, invalid_api_key",
                    example = "model_not_found")
            String code) {
    }

    static OpenAiError of(HttpStatusCode status, String message, String param, String code) {
        String type = status.is4xxClientError() ? "invalid_request_error" : "server_error";
        return new OpenAiError(new Body(message, type, param, code));
    }
}
