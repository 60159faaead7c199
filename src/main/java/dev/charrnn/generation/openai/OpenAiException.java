package dev.charrnn.generation.openai;

import org.springframework.http.HttpStatus;

/** A /v1 request refused, with the parts of the OpenAI error envelope that name the cause. */
final class OpenAiException extends RuntimeException {

    private final HttpStatus status;
    private final String param;
    private final String code;

    private OpenAiException(HttpStatus status, String message, String param, String code) {
        super(message);
        this.status = status;
        this.param = param;
        this.code = code;
    }

    static OpenAiException invalid(String param, String message) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, message, param, null);
    }

    static OpenAiException unknownModel(String name) {
        return new OpenAiException(HttpStatus.NOT_FOUND, "The model '" + name + "' does not exist. GET /v1/models "
                + "lists the trained ones.", "model", "model_not_found");
    }

    static OpenAiException notFound(String message) {
        return new OpenAiException(HttpStatus.NOT_FOUND, message, null, null);
    }

    HttpStatus status() {
        return status;
    }

    OpenAiError envelope() {
        return OpenAiError.of(status, getMessage(), param, code);
    }
}
