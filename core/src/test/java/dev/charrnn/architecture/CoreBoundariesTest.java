package dev.charrnn.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core is a library: no web framework, no servlet or HTTP types, and no package cycles. */
class CoreBoundariesTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.charrnn");

    @Test
    void noSpringNoServletNoHttp() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta.servlet..",
                "javax.servlet..", "java.net.http..", "io.micrometer..").check(CORE);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.charrnn.(**)").should().beFreeOfCycles().check(CORE);
    }
}
