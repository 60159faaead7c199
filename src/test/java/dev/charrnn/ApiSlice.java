package dev.charrnn;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.TestPropertySource;

import dev.charrnn.system.CharRnnProperties;

/**
 * An MVC slice of the controllers a test names, with the settings over a temp directory: no
 * actuator, no server. The test imports the real services those controllers call (real stores,
 * real DL4J training), and nothing else.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WebMvcTest
@EnableConfigurationProperties(CharRnnProperties.class)
@TestPropertySource(properties = {
        "charrnn.storage.corpora-dir=${java.io.tmpdir}/charrnn-slice-${random.uuid}/corpora",
        "charrnn.storage.models-dir=${java.io.tmpdir}/charrnn-slice-${random.uuid}/models",
        "charrnn.limits.max-corpus-size=64KB",
        "charrnn.limits.max-generate-length=500",
        "charrnn.limits.max-samples=4"})
public @interface ApiSlice {

    /** The controllers under test. */
    @AliasFor(annotation = WebMvcTest.class, attribute = "controllers")
    Class<?>[] value();
}
