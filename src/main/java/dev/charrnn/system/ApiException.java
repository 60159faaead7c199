package dev.charrnn.system;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A failure the caller can fix. Rendered as RFC 9457 problem+json whose {@code detail} says
 * what to change. Thrown from any layer; the status is the only HTTP notion it carries.
 */
public class ApiException extends ErrorResponseException {

    private final String detail;

    private ApiException(HttpStatus status, String detail) {
        super(status, ProblemDetail.forStatusAndDetail(status, detail), null);
        this.detail = detail;
    }

    @Override
    public String getMessage() {
        return getStatusCode() + ": " + detail;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, detail);
    }

    public static ApiException tooLarge(String detail) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, detail);
    }

    public static ApiException unsupportedMediaType(String detail) {
        return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail);
    }

    public static ApiException busy(String detail, int retryAfterSeconds) {
        ApiException e = new ApiException(HttpStatus.SERVICE_UNAVAILABLE, detail);
        e.getHeaders().set("Retry-After", Integer.toString(retryAfterSeconds));
        return e;
    }
}
