package dev.charrnn.system;

import org.apache.catalina.core.StandardHost;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.servlet.MultipartConfigFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import jakarta.servlet.MultipartConfigElement;

@Configuration
public class WebConfig {

    /** Multipart uploads follow the corpus and model-import limits, not Spring's 1 MB default. */
    @Bean
    MultipartConfigElement multipartConfig(CharRnnProperties properties) {
        DataSize max = DataSize.ofBytes(Math.max(properties.limits().maxCorpusSize().toBytes(),
                properties.limits().maxModelImportSize().toBytes()));
        MultipartConfigFactory factory = new MultipartConfigFactory();
        factory.setMaxFileSize(max);
        factory.setMaxRequestSize(DataSize.ofBytes(max.toBytes() + DataSize.ofMegabytes(1).toBytes()));
        factory.setFileSizeThreshold(DataSize.ofMegabytes(1));
        return factory.createMultipartConfig();
    }

    /** Marks the operations the API key guards, so Swagger UI's Authorize button applies to them. */
    @Bean
    OpenApiCustomizer securedOperations() {
        return openApi -> openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            boolean read = method == PathItem.HttpMethod.GET || path.matches("/api/models/\\{name}/(generate.*|score|gradient-flow)");
            if (!read) {
                operation.addSecurityItem(new SecurityRequirement().addList("bearer"))
                        .addSecurityItem(new SecurityRequirement().addList("apiKey"));
            }
        }));
    }

    /** Tomcat's own error pages (for requests rejected before Spring sees them) as problem+json. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemJsonForTomcatErrors() {
        return factory -> factory.addContextCustomizers(context ->
                ((StandardHost) context.getParent()).setErrorReportValveClass(ProblemJsonErrorValve.class.getName()));
    }

    @Bean
    OpenAPI openApi() {
        return new OpenAPI()
                .components(new Components()
                        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("The API key (charrnn.security.api-key), when the server sets one"))
                        .addSecuritySchemes("apiKey", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name("X-API-Key")))
                .info(new Info()
                .title("char-rnn-service")
                .version("0.1")
                .description("Train character-level RNN, LSTM and GRU networks on your own text, watch their "
                        + "gradients, and generate text. Try it in order: upload the example corpus "
                        + "(POST /api/corpora, text/plain), start the example training job, poll it until "
                        + "SUCCEEDED, then generate from model \"demo\"."));
    }
}
