package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.fuzz.Fuzz;
import dev.sluice.fuzz.Mutator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the policy loader with one policy file in a folder, seeded with every golden case's
 * input: each input gives a policy set, or findings that name the file, a line and a column.
 * {@link PolicyLoader#load} turns anything thrown into a finding that says "this is a bug in
 * Sluice"; such a finding is a finding of the fuzzer too.
 */
class PolicyLoaderFuzzTest {
  private static final List<String> TOKENS = List.of(
      "kind: Route\n", "kind: Gateway\n", "kind: Upstream\n", "kind: Consumer\n", "kind: JwtProvider\n", "kind: Sidecar\n",
      "kind: ServiceAccess\n", "kind: Mesh\n", "name: ", "spec:\n", "  match:\n", "    path: {regex: \"", "prefix: /",
      "to:\n  - service: users\n    weight: ", "rateLimit: {requests: 10, per: minute, key: path}", "timeout: 1s", "retries: ",
      "99999999999999999999", "-1", "0s", "1e9h", "headers:", "cors:", "jwt:", "tls:", "certificate: ../../etc/passwd",
      "a{99999999999999999999}", "(?:a)", "(?=x)");

  private static final Fuzz.AllocationBound BOUND = new Fuzz.AllocationBound(64L << 20, 1024);

  @TempDir
  Path dir;

  @Test
  void everyPolicyFileGivesAPolicySetOrPositionedFindings() {
    copySupportFiles(dir);
    Path file = dir.resolve("policies.yaml");
    Fuzz.Report report = Fuzz.run("policy-loader", new Mutator(seeds(), TOKENS), input -> load(dir, file, input),
        BOUND);
    assertThat(report.findings()).as(report.line()).isEmpty();
  }

  /**
   * Inputs the fuzzer found, kept as they were: each is now refused with positioned findings,
   * within the allocation bound. (A field of a global limit's key or a JWT token source that is no
   * known kind crashed the loader with IllegalArgumentException from Enum.valueOf; a route with a
   * long path prefix made the check for shadowed routes cost the square of the path's length.)
   */
  @Test
  void inputsTheFuzzerFoundAreRefusedWithPositionedFindings() throws IOException {
    copySupportFiles(dir);
    Path file = dir.resolve("policies.yaml");
    for (byte[] found : Fuzz.seeds(Path.of("src/test/resources/fuzz/policy-findings"), "*.yaml")) {
      assertThat(Fuzz.replay(input -> load(dir, file, input), found, BOUND)).isEmpty();
      assertThat(PolicyLoader.load(dir).hasErrors()).isTrue();
    }
  }

  /** Every golden case's policies. */
  static List<byte[]> seeds() {
    List<byte[]> out = new ArrayList<>();
    try (Stream<Path> cases = Files.list(Path.of("src/test/resources/golden"))) {
      for (Path c : cases.sorted().toList()) {
        Path in = c.resolve("in.yaml");
        if (Files.isRegularFile(in)) {
          out.add(Files.readAllBytes(in));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The certificates, keys and descriptor sets the golden cases point at, so the seeds read them. */
  private static void copySupportFiles(Path to) {
    Path golden = Path.of("src/test/resources/golden");
    try (Stream<Path> files = Files.walk(golden)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path inCase = golden.relativize(f).subpath(1, golden.relativize(f).getNameCount());
        if (!inCase.startsWith("out") && !f.toString().endsWith(".yaml")) {
          Files.createDirectories(to.resolve(inCase).getParent());
          Files.copy(f, to.resolve(inCase), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
      return Optional.of("a policy set " + (r.policies().isPresent() ? "with" : "without") + " errors: " + r.findings());
    }
    Optional<dev.sluice.yaml.Finding> bug = r.findings().stream().filter(f -> f.message().contains("a bug in Sluice")).findFirst();
    if (bug.isPresent()) {
      return Optional.of("a crash inside the loader: " + bug.get().format());
    }
    return Fuzz.unplaced(r.findings());
  }
}
