package dev.charrnn.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.freeze.FreezingArchRule;

/**
 * Dependencies between packages point one way. The package cycles that exist today are frozen in
 * src/test/resources/archunit-store (ArchUnit's FreezingArchRule): any new cycle fails the build,
 * and the store shrinks as the redesign removes the old ones.
 */
class PackageGraphTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.charrnn");

    @Test
    void noNewPackageCycles() {
        FreezingArchRule.freeze(slices().matching("dev.charrnn.(**)").should().beFreeOfCycles()).check(MAIN);
    }
}
