package dev.charrnn.system;

import java.util.ArrayList;
import java.util.List;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * The published API document as the service behaves: every operation with the problem+json
 * errors it answers and the key it takes, so lint tools and generated clients see the real API.
 */
@Configuration
public class OpenApiConfig {

    @Bean
    OpenAPI openApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("char-rnn-service")
                        .version("0.1")
                        .description("Train character-level RNN, LSTM and GRU networks on your own text, watch their "
                                + "gradients, and generate text. Try it in order: upload the example corpus "
                                + "(POST /api/corpora, text/plain), start the example training job, poll it until "
                                + "SUCCEEDED, then generate from model \"demo\"."))
                .components(new Components()
                        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("The API key (charrnn.security.api-key), when the server sets one"))
                        .addSecuritySchemes("apiKey", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name("X-API-Key")
                                .description("The same key in a header of its own")));
    }

    /**
     * Security as {@link ApiKeyFilter} applies it: the operations it guards take the key (optional
     * while the server sets none); the others declare that they take none.
     */
    @Bean
    OpenApiCustomizer keyedOperations(CharRnnProperties properties) {
        CharRnnProperties.Security security = properties.security();
        List<SecurityRequirement> key = new ArrayList<>(List.of(
                new SecurityRequirement().addList("bearer"), new SecurityRequirement().addList("apiKey")));
        if (!security.enabled()) {
            key.add(new SecurityRequirement());
        }
        return openApi -> openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) ->
                operation.setSecurity(ApiKeyFilter.guards(method.name(), path, security.protectReads()) ? key : List.of())));
    }
}
