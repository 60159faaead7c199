package dev.charrnn.generation.openai;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocAnnotationsUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAI error envelope in the API document; OpenApiConfig makes it the error schema of every /v1 operation. */
@Configuration
class OpenAiDocs {

    @Bean
    OpenApiCustomizer openAiErrorSchema() {
        return openApi -> SpringDocAnnotationsUtils.extractSchema(openApi.getComponents(), OpenAiError.class, null, null,
                openApi.getSpecVersion());
    }
}
