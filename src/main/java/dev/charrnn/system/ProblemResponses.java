package dev.charrnn.system;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The problem+json statuses an operation really answers, so that the API docs and the clients
 * generated from them know its errors. {@link OpenApiConfig} makes each one a response with the
 * shared ProblemDetail schema; 401 is not listed here, it follows from whether the key guards the
 * operation ({@link ApiKeyFilter#guards}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ProblemResponses {

    /** HTTP statuses among 400, 404, 409, 413, 415 and 503. */
    int[] value();
}
