package dev.charrnn.system;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.servlet.MultipartConfigFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

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

    /** Tomcat's own error pages (for requests rejected before Spring sees them) as problem+json. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemJsonForTomcatErrors() {
        return factory -> factory.addContextCustomizers(context ->
                ((StandardHost) context.getParent()).setErrorReportValveClass(ProblemJsonErrorValve.class.getName()));
    }
}
