package dev.charrnn.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package graph of the whole product, core and service: dependencies point one way, and the
 * core knows nothing of the service above it. (The core's own build checks that it has no Spring.)
 */
class PackageGraphTest {

    private static final String[] CORE = {"dev.charrnn.text..", "dev.charrnn.nn..", "dev.charrnn.train..",
        "dev.charrnn.sample.."};
    private static final String[] SERVICE = {"dev.charrnn.corpus..", "dev.charrnn.model..", "dev.charrnn.training..",
        "dev.charrnn.generation..", "dev.charrnn.gradients..", "dev.charrnn.system.."};

    /** Main classes of both modules: the core's test jar (its fixtures) is on the classpath too. */
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.charrnn");

    @Test
    void noPackageCycles() {
        slices().matching("dev.charrnn.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theCoreDoesNotKnowTheService() {
        noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat().resideInAnyPackage(SERVICE)
                .check(MAIN);
    }

    @Test
    void everyClassBelongsToALayer() {
        String[] known = new String[CORE.length + SERVICE.length + 1];
        System.arraycopy(CORE, 0, known, 0, CORE.length);
        System.arraycopy(SERVICE, 0, known, CORE.length, SERVICE.length);
        known[known.length - 1] = "dev.charrnn";
        classes().should().resideInAnyPackage(known).check(MAIN);
    }
}
