package dev.sluice.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The server's packages depend on each other in one direction: the root wires the parts together,
 * the admin API reads them through its view, and no part needs what is built on it.
 */
class PackageDependenciesTest {
  private static final String ROOT = "dev.sluice.server";

  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(ROOT);

  @Test
  void adminDoesNotDependOnTheRootPackage() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".admin..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(ROOT)
        .because("the admin API reads the running server through AdminView, built by the root")
        .check(MAIN);
  }

  @Test
  void packagesUnderTheServerHaveNoCycle() {
    slices().assignedFrom(new EachPackageAndTheRoot()).should().beFreeOfCycles().check(MAIN);
  }

  /** {@code dev.sluice.server.(*)..} is one slice each, and the root package one more. */
  private static final class EachPackageAndTheRoot implements SliceAssignment {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      String pkg = c.getPackageName();
      if (pkg.equals(ROOT)) {
        return SliceIdentifier.of("(root)");
      }
      if (!pkg.startsWith(ROOT + ".")) {
        return SliceIdentifier.ignore();
      }
      String rest = pkg.substring(ROOT.length() + 1);
      int dot = rest.indexOf('.');
      return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    @Override
    public String getDescription() {
      return "each package under " + ROOT + " and the root package";
    }
  }
}
