package dev.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.policy.PolicySet;
import dev.sluice.policy.PolicyValidation;
import dev.sluice.testing.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example under {@code docs/examples/} is valid as written: no error and no warning from
 * {@code sluice validate} against its own registry, and every document passes the JSON Schema.
 */
class ExamplesTest {
  private static final Path EXAMPLES = RepoPaths.root().resolve("docs/examples");

  @TestFactory
  Stream<DynamicTest> everyExampleValidatesCleanly() throws Exception {
    List<Path> folders;
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      folders = s.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(folders).as("examples under docs/examples").isNotEmpty();
    return folders.stream()
        .map(
            folder ->
                DynamicTest.dynamicTest(
                    folder.getFileName().toString(),
                    () -> {
                      PolicyValidation.Report report =
                          PolicyValidation.run(
                              folder.resolve("policies"),
                              Optional.of(folder.resolve("services.yaml")));
                      assertThat(report.findings()).as("findings of %s", folder).isEmpty();
                      PolicySet set = report.policies().orElseThrow();
                      assertThat(set.routes()).isNotEmpty();
                      try (Stream<Path> files = Files.walk(folder)) {
                        for (Path f :
                            files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                          assertThat(SchemaTest.check(f))
                              .as("schema check of %s", f)
                              .allSatisfy(c -> assertThat(c.valid()).as("%s", c).isTrue());
                        }
                      }
                    }));
  }
}
