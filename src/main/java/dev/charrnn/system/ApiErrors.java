package dev.charrnn.system;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.commons.text.similarity.LevenshteinDistance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error as RFC 9457 problem+json with a detail that tells the caller what to change.
 * Spring's base class covers the framework exceptions and {@link ApiException}; this class
 * sharpens the details for bad JSON, invalid fields and oversized uploads, and hides internals.
 */
@RestControllerAdvice
public class ApiErrors extends ResponseEntityExceptionHandler {

    /** Request attribute: the body field a 400 names, for error shapes that carry it apart (OpenAI's {@code param}). */
    public static final String PROBLEM_FIELD = ApiErrors.class.getName() + ".field";

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    private final long maxUploadBytes;

    public ApiErrors(CharRnnProperties properties) {
        this.maxUploadBytes = Math.max(properties.limits().maxCorpusSize().toBytes(),
                properties.limits().maxModelImportSize().toBytes());
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = ex.getBindingResult().getFieldErrors().stream()
                .map(ApiErrors::describe)
                .sorted()
                .collect(Collectors.joining("; "));
        return problem(HttpStatus.BAD_REQUEST, "Invalid request: " + detail + ".", headers);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String field = fieldOf(ex);
        if (field != null) {
            request.setAttribute(PROBLEM_FIELD, field, RequestAttributes.SCOPE_REQUEST);
        }
        return problem(HttpStatus.BAD_REQUEST, readableJsonError(ex), headers);
    }

    @Override
    protected ResponseEntity<Object> handleMaxUploadSizeExceededException(MaxUploadSizeExceededException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "The upload is larger than the limit of " + maxUploadBytes
                + " bytes (charrnn.limits.max-corpus-size for texts, max-model-import-size for models).", headers);
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Object> malformedMultipart(MultipartException ex) {
        return problem(HttpStatus.BAD_REQUEST, "Malformed multipart request: send multipart/form-data with a "
                + "boundary and a 'file' part (curl -F file=@corpus.txt ...).", null);
    }

    /** Storage refused a write: nothing was stored, and the client should know it is not its fault. */
    @ExceptionHandler(StorageException.class)
    ResponseEntity<Object> storageFull(StorageException ex) {
        log.warn("storage refused a write: {}", ex.getMessage());
        return problem(HttpStatus.INSUFFICIENT_STORAGE, "The server " + ex.getMessage() + "; nothing was stored. "
                + "Retry once space is freed on its storage (charrnn.storage.*).", null);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex) {
        log.error("unhandled error", ex);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR,
                "Internal error (" + ex.getClass().getSimpleName() + "); the server log has the details.", null);
    }

    private static ResponseEntity<Object> problem(HttpStatus status, String detail, HttpHeaders headers) {
        return ResponseEntity.status(status).headers(headers).body(ProblemDetail.forStatusAndDetail(status, detail));
    }

    private static String describe(FieldError error) {
        Object got = error.getRejectedValue();
        if (got == null) {
            return error.getField() + " is required";
        }
        return error.getField() + " " + error.getDefaultMessage() + " (got "
                + (got instanceof String text && text.isEmpty() ? "an empty string" : got) + ")";
    }

    /** The body field an unreadable request got wrong, as a JSON path ({@code spec.seqLength}), or null. */
    static String fieldOf(HttpMessageNotReadableException ex) {
        JacksonException jackson = jacksonCause(ex);
        if (jackson == null) {
            return null;
        }
        String path = jackson.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return path.isEmpty() ? null : path;
    }

    /** Names the field and the problem without leaking class names or stack traces. */
    static String readableJsonError(HttpMessageNotReadableException ex) {
        JacksonException jackson = jacksonCause(ex);
        if (jackson instanceof UnrecognizedPropertyException unknown) {
            return unknownField(unknown);
        }
        if (jackson != null) {
            String path = fieldOf(ex);
            Throwable root = ex.getMostSpecificCause();
            String problem = firstLine(root instanceof JacksonException ? jackson.getOriginalMessage() : root.getMessage());
            return "Malformed request body" + (path == null ? "" : " at '" + path + "'") + ": " + problem
                    + ". Send a JSON object as described in the API docs (/swagger-ui.html).";
        }
        if (ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")) {
            return "The request body is missing. Send a JSON object as described in the API docs (/swagger-ui.html).";
        }
        return "Unreadable request body. Send a JSON object as described in the API docs (/swagger-ui.html).";
    }

    /** A misspelt or unsupported field: the fields that are accepted there, and the likeliest one meant. */
    private static String unknownField(UnrecognizedPropertyException unknown) {
        String field = unknown.getPropertyName();
        List<String> known = unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
        String meant = known.stream().min(Comparator.comparingInt(k -> editDistance(field, k)))
                .filter(k -> editDistance(field, k) <= Math.max(1, field.length() / 3)).orElse(null);
        return "Unknown field '" + field + "' in the request body" + (meant != null ? "; did you mean '" + meant + "'?" : ".")
                + " The fields here are: " + String.join(", ", known) + ".";
    }

    /** Levenshtein distance, case-insensitive: enough to spot a typo among a dozen field names. */
    private static int editDistance(String a, String b) {
        return LevenshteinDistance.getDefaultInstance().apply(a.toLowerCase(Locale.ROOT), b.toLowerCase(Locale.ROOT));
    }

    private static JacksonException jacksonCause(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof JacksonException jackson) {
                return jackson;
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid JSON";
        }
        String line = message.lines().findFirst().orElse(message);
        return line.replaceAll(" \\(but could if coercion was enabled[^)]*\\)", "")
                .replaceAll("\\b(?:[a-z][\\w$]*\\.)+([A-Z][\\w$]*)", "$1")
                .replace("`", "").replaceAll("\\(class (?:[\\w$]+\\.)+([\\w$]+)\\)", "");
    }
}
