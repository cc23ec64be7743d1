package dev.sluice.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.fuzz.Fuzz;
import dev.sluice.fuzz.Mutator;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlSyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the file registry as {@link FileCatalogSource} reads it (the file's bytes, then the
 * parser): every input gives a catalog, or errors that each name the file and a line and column.
 *
 * <p>It lives in policy-engine with the other fuzz targets and their harness ({@code
 * dev.sluice.fuzz}): policy-engine sees discovery's classes, and one module runs every target.
 */
class CatalogFileParserFuzzTest {
  private static final Path SEEDS = Path.of("src/test/resources/fuzz/registry");
  private static final List<String> TOKENS = List.of(
      "services:\n", "  users:\n", "    - ", "address: ", "port: ", "127.0.0.1:9001", "[::1]:80", ":70000", "tags: [", "meta: {",
      "health: warning", "health: {}", "weight: 0", "weight: 1e3", "zone: ", "id: ", "Users", "a-", "x".repeat(64));

  @TempDir
  Path dir;

  @Test
  void everyRegistryFileGivesACatalogOrPositionedErrors() {
    Path file = dir.resolve("services.yaml");
    Fuzz.Report report = Fuzz.run("registry-file", new Mutator(Fuzz.seeds(SEEDS, "*.yaml"), TOKENS),
        input -> read(file, input), new Fuzz.AllocationBound(16L << 20, 512));
    assertThat(report.findings()).as(report.line()).isEmpty();
  }

  /**
   * Inputs the fuzzer found, kept as they were: each is now refused with positioned findings. (A
   * {@code !!binary} value was reported at 0:0 as "unexpected YAML token VALUE_EMBEDDED_OBJECT".)
   */
  @Test
  void inputsTheFuzzerFoundAreRefusedWithPositionedFindings() throws Exception {
    Path file = dir.resolve("services.yaml");
    for (byte[] found : Fuzz.seeds(Path.of("src/test/resources/fuzz/registry-findings"), "*.yaml")) {
      assertThat(read(file, found)).isEmpty();
    }
  }

  static Optional<String> read(Path file, byte[] input) throws Exception {
    Files.write(file, input);
    Diagnostics d = new Diagnostics();
    try {
      Optional<ServiceCatalog> catalog = CatalogFileParser.parse(YamlFiles.read(file), d);
      if (catalog.isPresent() == d.hasErrors()) {
        return Optional.of("a catalog " + (catalog.isPresent() ? "with" : "without") + " errors: " + d.findings());
      }
    } catch (YamlSyntaxException e) {
      d.add(e.finding());
    }
    return Fuzz.unplaced(d.findings());
  }
}
