package dev.sluice.discovery;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.fuzz.Fuzz;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlSyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the file registry as {@link FileCatalogSource} reads it (the file's bytes, then the
 * parser): every input gives a catalog, or errors that each name the file and a line and column.
 *
 * <p>It lives in policy-engine with the other fuzz tests and their shared checks ({@code
 * dev.sluice.fuzz}): policy-engine sees discovery's classes, and one module runs every target.
 */
class CatalogFileParserFuzzTest {
  private static final Fuzz.AllocationBound BOUND = new Fuzz.AllocationBound(16L << 20, 512);

  @TempDir static Path dir;

  /**
   * Seeds, under {@code CatalogFileParserFuzzTestInputs}: the demo and example registries, one with
   * every field; and the inputs the fuzzer found, kept as they were (a {@code !!binary} value was
   * reported at 0:0 as "unexpected YAML token VALUE_EMBEDDED_OBJECT").
   */
  @DictionaryFile(resourcePath = "CatalogFileParserFuzzTest.dict")
  @FuzzTest(maxExecutions = Fuzz.SHORT_RUNS)
  void everyRegistryFileGivesACatalogOrPositionedErrors(byte[] input) throws Exception {
    Path file = dir.resolve("services.yaml");
    Fuzz.check(in -> read(file, in), input, BOUND);
  }

  static Optional<String> read(Path file, byte[] input) throws Exception {
    Files.write(file, input);
    Diagnostics d = new Diagnostics();
    try {
      Optional<ServiceCatalog> catalog = CatalogFileParser.parse(YamlFiles.read(file), d);
      if (catalog.isPresent() == d.hasErrors()) {
        return Optional.of(
            "a catalog " + (catalog.isPresent() ? "with" : "without") + " errors: " + d.findings());
      }
    } catch (YamlSyntaxException e) {
      d.add(e.finding());
    }
    return Fuzz.unplaced(d.findings());
  }
}
