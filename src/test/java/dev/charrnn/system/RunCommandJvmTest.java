package dev.charrnn.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The README's run command, {@code ./mvnw spring-boot:run}, forks the JVM the plugin configures in
 * this module's pom. Its default launch adds {@code -XX:TieredStopAtLevel=1}, which trains about
 * 75x slower, so the settings that prevent it are guarded here.
 */
class RunCommandJvmTest {

    private static final String PLUGIN_CONFIGURATION =
            "/project/build/plugins/plugin[artifactId='spring-boot-maven-plugin']/configuration/";

    @Test
    void springBootRunForksAJvmWithC2AndTheVectorModule() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        XPath xpath = XPathFactory.newInstance().newXPath();

        String optimizedLaunch = xpath.evaluate(PLUGIN_CONFIGURATION + "optimizedLaunch", pom).trim();
        String jvmArguments = xpath.evaluate(PLUGIN_CONFIGURATION + "jvmArguments", pom);

        assertThat(optimizedLaunch).as("spring-boot:run must not launch with -XX:TieredStopAtLevel=1").isEqualTo("false");
        assertThat(jvmArguments).contains("--add-modules jdk.incubator.vector")
                .doesNotContain("TieredStopAtLevel").doesNotContain("-Xint");
    }
}
