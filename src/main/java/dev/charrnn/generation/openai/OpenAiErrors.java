package dev.charrnn.generation.openai;

import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

import dev.charrnn.system.ApiErrors;

/**
 * Errors on /v1 in the OpenAI envelope. The refusals of the /v1 code carry their field; every
 * other error (unknown route, unreadable JSON, a busy service, a damaged model) is the problem
 * the rest of the service answers, rewritten here with the same message, status and headers.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE) // before ApiErrors, whose catch-all would take OpenAiException too
class OpenAiErrors implements ResponseBodyAdvice<Object> {

    @ExceptionHandler(OpenAiException.class)
    ResponseEntity<OpenAiError> refused(OpenAiException e) {
        return ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON).body(e.envelope());
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
                                  Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
                                  ServerHttpResponse response) {
        if (!(body instanceof ProblemDetail problem) || !onV1(request)) {
            return body;
        }
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        Object field = request instanceof ServletServerHttpRequest servlet
                ? servlet.getServletRequest().getAttribute(ApiErrors.PROBLEM_FIELD) : null;
        return OpenAiError.of(HttpStatusCode.valueOf(problem.getStatus()), problem.getDetail(),
                field == null ? null : field.toString(), null);
    }

    private static boolean onV1(ServerHttpRequest request) {
        String path = request.getURI().getRawPath();
        if (request instanceof ServletServerHttpRequest servlet) {
            path = path.substring(Math.min(path.length(), servlet.getServletRequest().getContextPath().length()));
        }
        return path.equals("/v1") || path.startsWith("/v1/");
    }
}
