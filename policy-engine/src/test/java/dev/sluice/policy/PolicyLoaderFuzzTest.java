package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.fuzz.Fuzz;
import dev.sluice.yaml.Finding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the policy loader with one policy file in a folder, seeded with every golden case's input:
 * each input gives a policy set, or findings that name the file, a line and a column. {@link
 * PolicyLoader#load} turns anything thrown into a finding that says "this is a bug in Sluice"; such
 * a finding is a finding of the fuzzer too.
 */
class PolicyLoaderFuzzTest {
  private static final Path FINDINGS =
      Path.of(
          "src/test/resources/dev/sluice/policy/PolicyLoaderFuzzTestInputs/"
              + "everyPolicyFileGivesAPolicySetOrPositionedFindings/findings");
  private static final Fuzz.AllocationBound BOUND = new Fuzz.AllocationBound(64L << 20, 1024);

  @TempDir static Path dir;

  @BeforeAll
  static void supportFiles() {
    copySupportFiles(dir);
  }

  /**
   * Seeds: every golden case's policies (given here, not copied into the inputs folder, so that
   * they are the golden cases as they are now), and under {@code PolicyLoaderFuzzTestInputs} the
   * inputs the fuzzer found, kept as they were.
   */
  @MethodSource("seeds")
  @DictionaryFile(resourcePath = "PolicyLoaderFuzzTest.dict")
  @FuzzTest(maxExecutions = Fuzz.SHORT_RUNS)
  void everyPolicyFileGivesAPolicySetOrPositionedFindings(byte[] input) throws Exception {
    Path file = dir.resolve("policies.yaml");
    Fuzz.check(in -> load(dir, file, in), input, BOUND);
  }

  /**
   * The inputs the fuzzer found are refused, not only survived. (A field of a global limit's key or
   * a JWT token source that is no known kind crashed the loader with IllegalArgumentException from
   * Enum.valueOf; a route with a long path prefix made the check for shadowed routes cost the
   * square of the path's length.)
   */
  @Test
  void inputsTheFuzzerFoundAreRefusedWithPositionedFindings() throws Exception {
    Path file = dir.resolve("policies.yaml");
    try (Stream<Path> found = Files.list(FINDINGS)) {
      for (Path f : found.sorted().toList()) {
        Fuzz.check(in -> load(dir, file, in), Files.readAllBytes(f), BOUND);
        assertThat(PolicyLoader.load(dir).hasErrors()).as(f.toString()).isTrue();
      }
    }
  }

  /** Every golden case's policies. */
  static Stream<Arguments> seeds() {
    List<Arguments> out = new ArrayList<>();
    try (Stream<Path> cases = Files.list(Path.of("src/test/resources/golden"))) {
      for (Path c : cases.sorted().toList()) {
        Path in = c.resolve("in.yaml");
        if (Files.isRegularFile(in)) {
          out.add(Arguments.of(Named.of(c.getFileName() + "/in.yaml", Files.readAllBytes(in))));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.stream();
  }

  /**
   * The certificates, keys and descriptor sets the golden cases point at, so the seeds read them.
   */
  private static void copySupportFiles(Path to) {
    Path golden = Path.of("src/test/resources/golden");
    try (Stream<Path> files = Files.walk(golden)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path inCase = golden.relativize(f).subpath(1, golden.relativize(f).getNameCount());
        if (!inCase.startsWith("out") && !f.toString().endsWith(".yaml")) {
          Files.createDirectories(to.resolve(inCase).getParent());
          Files.copy(f, to.resolve(inCase), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Optional<String> load(Path dir, Path file, byte[] input) throws IOException {
    Files.write(file, input);
    PolicyLoader.Result r = PolicyLoader.load(dir);
    if (r.policies().isPresent() == r.hasErrors()) {
      return Optional.of(
          "a policy set "
              + (r.policies().isPresent() ? "with" : "without")
              + " errors: "
              + r.findings());
    }
    // the loader's own report of anything thrown names the folder, where no finding about the
    // policy file's text is placed (the text could say "a bug in Sluice" too)
    Optional<Finding> bug =
        r.findings().stream()
            .filter(
                f ->
                    dir.equals(f.file()) && f.message().startsWith("reading the policies failed: "))
            .findFirst();
    if (bug.isPresent()) {
      return Optional.of("a crash inside the loader: " + bug.get().format());
    }
    return Fuzz.unplaced(r.findings());
  }
}
