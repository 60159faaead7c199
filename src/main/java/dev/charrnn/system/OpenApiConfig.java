package dev.charrnn.system;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocAnnotationsUtils;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;

/**
 * The published API document as the service behaves: every operation with the problem+json
 * errors it answers and the key it takes, so lint tools and generated clients see the real API.
 */
@Configuration
public class OpenApiConfig {

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String PROBLEM_SCHEMA = "#/components/schemas/ProblemDetail";
    /** The OpenAI error envelope that /v1 answers instead (the /v1 package registers the schema). */
    private static final String OPENAI_ERROR_SCHEMA = "#/components/schemas/OpenAiError";

    /** What each status means anywhere in the API; the problem's detail gives the particulars. */
    private static final Map<Integer, String> PROBLEMS = Map.of(
            400, "Invalid input: the detail names the field, character or byte offset and what to change",
            401, "The API key is missing or wrong: send it as 'Authorization: Bearer <key>' or 'X-API-Key'",
            404, "No corpus, job, model or comparison with this id or name",
            409, "Conflicts with the current state (a job using it, a name taken, a damaged stored model): the "
                    + "detail says what to do",
            413, "Larger than the configured limit, which the detail names",
            415, "Unsupported Content-Type or charset",
            503, "Busy: retry after the seconds in Retry-After",
            507, "The server's storage refused the write (a full disk, an I/O error): nothing was stored");

    static {
        // An event stream is text and a download is bytes; springdoc would describe the Java types' getters.
        StringSchema bytes = new StringSchema();
        bytes.format("binary");
        SpringDocUtils.handleSchemaTypes(bytes);
        SpringDocUtils.getConfig().replaceWithClass(SseEmitter.class, String.class)
                .replaceWithSchema(StreamingResponseBody.class, bytes);
    }

    /** RFC 9457 problem+json, as Spring's ProblemDetail, {@link ApiKeyFilter} and Tomcat's error valve write it. */
    @Schema(name = "ProblemDetail", description = "An error (RFC 9457 problem+json); detail says what to change",
            requiredProperties = {"type", "title", "status", "detail"})
    record ProblemSchema(
            @Schema(description = "Problem type; about:blank when the status says it all", example = "about:blank")
            String type,
            @Schema(description = "The status's reason phrase", example = "Not Found")
            String title,
            @Schema(description = "HTTP status code", example = "404")
            int status,
            @Schema(description = "What went wrong and what to change",
                    example = "No model named 'nope'. GET /api/models lists the trained ones.")
            String detail,
            @Schema(description = "The request path", example = "/api/models/nope")
            String instance) {
    }

    @Bean
    OpenAPI openApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("char-rnn-service")
                        .version("0.1")
                        .license(new License().name("Apache-2.0").identifier("Apache-2.0"))
                        .description("Train character-level RNN, LSTM and GRU networks on your own text, watch their "
                                + "gradients, and generate text. Try it in order: upload the example corpus "
                                + "(POST /api/corpora, text/plain), start the example training job, poll it until "
                                + "SUCCEEDED, then generate from model \"demo\"."))
                // relative, so "Try it out" and generated clients work behind any host name and proxy
                .addServersItem(new Server().url("/").description("The server that serves this document"))
                .components(new Components()
                        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("The API key (charrnn.security.api-key), when the server sets one"))
                        .addSecuritySchemes("apiKey", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name("X-API-Key")
                                .description("The same key in a header of its own")));
    }

    /** Each status an operation declares with {@link ProblemResponses} becomes a problem+json response. */
    @Bean
    OperationCustomizer problemResponses() {
        return (operation, handler) -> {
            ProblemResponses declared = handler.getMethodAnnotation(ProblemResponses.class);
            if (declared != null) {
                for (int status : declared.value()) {
                    operation.getResponses().addApiResponse(Integer.toString(status), problem(status));
                }
            }
            return operation;
        };
    }

    /**
     * Security as {@link ApiKeyFilter} applies it: the operations it guards take the key (optional
     * while the server sets none) and may answer 401; the others declare that they take none.
     * Also adds the ProblemDetail schema that every problem response refers to.
     */
    @Bean
    OpenApiCustomizer keyedOperations(CharRnnProperties properties) {
        CharRnnProperties.Security security = properties.security();
        List<SecurityRequirement> key = new ArrayList<>(List.of(
                new SecurityRequirement().addList("bearer"), new SecurityRequirement().addList("apiKey")));
        if (!security.enabled()) {
            key.add(new SecurityRequirement());
        }
        return openApi -> {
            SpringDocAnnotationsUtils.extractSchema(openApi.getComponents(), ProblemSchema.class, null, null,
                    openApi.getSpecVersion());
            openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                boolean guarded = ApiKeyFilter.guards(method.name(), path, security.protectReads());
                operation.setSecurity(guarded ? key : List.of());
                if (guarded) {
                    operation.getResponses().addApiResponse("401", problem(401));
                }
                if (path.startsWith("/v1/")) {
                    inOpenAiEnvelope(operation);
                }
                sortResponses(operation);
            }));
        };
    }

    private static ApiResponse problem(int status) {
        String description = PROBLEMS.get(status);
        if (description == null) {
            throw new IllegalArgumentException("@ProblemResponses(" + status + "): no documented meaning; add one to "
                    + "OpenApiConfig.PROBLEMS");
        }
        ApiResponse response = new ApiResponse().description(description).content(new Content()
                .addMediaType(PROBLEM_JSON, new MediaType().schema(new io.swagger.v3.oas.models.media.Schema<>()
                        .$ref(PROBLEM_SCHEMA))));
        if (status == 503) {
            IntegerSchema seconds = new IntegerSchema();
            SpringDocUtils.handleSchemaTypes(seconds);
            response.addHeaderObject("Retry-After", new Header().description("Seconds to wait before retrying")
                    .schema(seconds));
        }
        return response;
    }

    /** The error responses of a /v1 operation, as OpenAI's SDKs read them: JSON in the OpenAI error envelope. */
    private static void inOpenAiEnvelope(Operation operation) {
        operation.getResponses().forEach((status, response) -> {
            if (status.startsWith("4") || status.startsWith("5")) {
                response.setContent(new Content().addMediaType("application/json", new MediaType()
                        .schema(new io.swagger.v3.oas.models.media.Schema<>().$ref(OPENAI_ERROR_SCHEMA))));
            }
        });
    }

    /** Responses by status code, as a reader looks them up. */
    private static void sortResponses(Operation operation) {
        ApiResponses sorted = new ApiResponses();
        new TreeMap<>(operation.getResponses()).forEach(sorted::addApiResponse);
        operation.setResponses(sorted);
    }
}
