package dev.sluice.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.discovery.CatalogFileParser;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.ir.Compiler;
import dev.sluice.ir.GlobalRateLimitTables;
import dev.sluice.ir.IrYaml;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.SidecarConfig;
import dev.sluice.policy.CrossChecks;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.testing.RepoPaths;
import dev.sluice.testing.TextDiff;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlSyntaxException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden tests for compile + translate. Each folder under {@code golden/} is one case: {@code
 * in.yaml} holds a registry document ({@code services:}) and policy documents; {@code out/} holds
 * what they must produce:
 *
 * <ul>
 *   <li>valid input: {@code out/ir.yaml}, the IR the compiler made, every proxy group's (the layer
 *       between policies and Envoy, so a change shows in which stage it happened); then {@code
 *       out/<group>/listeners.yaml}, {@code routes.yaml}, {@code clusters.yaml}, {@code
 *       endpoints.yaml} per proxy group, {@code secrets.yaml} when the group has TLS secrets
 *       (private keys redacted), and {@code out/warnings.txt} when there are warnings;
 *   <li>invalid input (folder named {@code invalid-*}): {@code out/errors.txt}, the findings one
 *       per line, file paths relative to the case folder.
 * </ul>
 *
 * <p>Run with {@code -Dgolden.update=true} to rewrite the expected files (and delete the ones no
 * longer produced); otherwise a difference fails with a unified diff.
 */
class GoldenTest {
  static final Path GOLDEN = RepoPaths.root().resolve("policy-engine/src/test/resources/golden");
  static final List<String> TYPES = List.of("listeners", "routes", "clusters", "endpoints");

  /** Surefire passes the literal "${golden.update}" when the property is not set: that is false. */
  static boolean update() {
    return Boolean.parseBoolean(System.getProperty("golden.update", "false").trim());
  }

  /** Every case folder, sorted. */
  static List<Path> cases() throws IOException {
    try (Stream<Path> s = Files.list(GOLDEN)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("in.yaml"))).sorted().toList();
    }
  }

  static boolean isInvalidCase(Path dir) {
    return dir.getFileName().toString().startsWith("invalid-");
  }

  /** The registry document is the one whose top-level key is {@code services}. */
  static boolean isRegistry(YamlDocument doc) {
    return doc.root().isObject() && doc.root().has("services");
  }

  @TestFactory
  Stream<DynamicTest> golden() throws IOException {
    List<Path> cases = cases();
    assertThat(cases).as("golden cases under %s", GOLDEN).hasSizeGreaterThanOrEqualTo(10);
    return cases.stream()
        .map(
            dir ->
                DynamicTest.dynamicTest(
                    dir.getFileName().toString(),
                    dir.resolve("in.yaml").toUri(),
                    () -> check(dir)));
  }

  /**
   * What one run of the pipeline produced: out/ files by relative path, and consistency problems.
   */
  record Output(Map<String, String> files, List<String> problems, boolean hasErrors) {}

  static Output render(Path dir) throws IOException {
    Path in = dir.resolve("in.yaml");
    List<YamlDocument> docs;
    try {
      docs = YamlFiles.read(in);
    } catch (YamlSyntaxException e) {
      return new Output(Map.of("errors.txt", lines(dir, List.of(e.finding()))), List.of(), true);
    }
    Diagnostics registryDiagnostics = new Diagnostics();
    Optional<ServiceCatalog> catalog =
        CatalogFileParser.parse(
            docs.stream().filter(GoldenTest::isRegistry).toList(), registryDiagnostics);
    PolicyLoader.Result loaded =
        PolicyLoader.fromDocuments(
            docs.stream().filter(d -> !isRegistry(d)).toList(), new Diagnostics());
    List<Finding> findings = new ArrayList<>(registryDiagnostics.findings());
    findings.addAll(loaded.findings());
    if (catalog.isPresent() && loaded.policies().isPresent()) {
      findings.addAll(CrossChecks.againstCatalog(loaded.policies().get(), catalog.get()));
    }
    findings.sort(Finding.ORDER);
    if (findings.stream().anyMatch(Finding::isError)) {
      return new Output(Map.of("errors.txt", lines(dir, findings)), List.of(), true);
    }
    Map<String, String> files = new TreeMap<>();
    if (!findings.isEmpty()) {
      files.put("warnings.txt", lines(dir, findings));
    }
    PolicySet policies = loaded.policies().orElseThrow();
    Map<String, ProxyConfig> ir = Compiler.compile(catalog.get(), policies);
    assertThat(Compiler.compile(catalog.get(), policies))
        .as("compiling twice gives equal IR")
        .isEqualTo(ir);
    files.put("ir.yaml", IrYaml.of(ir, dir));
    List<String> problems = new ArrayList<>();
    ir.forEach(
        (group, config) -> {
          XdsResources r = Translator.translate(config);
          // a sidecar's certificate and trust bundle come from the server's CA, not the translator
          Set<String> supplied =
              config.meshClient().isPresent()
                  ? Set.of(SidecarConfig.CERT_SECRET, SidecarConfig.TRUST_SECRET)
                  : Set.of();
          ConsistencyCheck.problems(r, supplied).forEach(p -> problems.add(group + ": " + p));
          files.put(group + "/listeners.yaml", XdsYaml.of(r.listeners()));
          files.put(group + "/routes.yaml", XdsYaml.of(r.routes()));
          files.put(group + "/clusters.yaml", XdsYaml.of(r.clusters()));
          files.put(group + "/endpoints.yaml", XdsYaml.of(r.endpoints()));
          if (!r.secrets().isEmpty()) {
            files.put(group + "/secrets.yaml", XdsYaml.of(r.secrets()));
          }
        });
    RateLimitTable table = GlobalRateLimitTables.of(ir);
    if (!table.rules().isEmpty()) {
      files.put("ratelimit.yaml", rateLimitTable(dir, table));
    }
    return new Output(files, problems, false);
  }

  /** The rate-limit service's table, one rule per item, in the order the service tries them. */
  static String rateLimitTable(Path dir, RateLimitTable table) {
    StringBuilder sb = new StringBuilder();
    for (var rule : table.rules()) {
      sb.append("- domain: ").append(rule.domain()).append('\n');
      sb.append("  descriptor: [");
      sb.append(
          String.join(
              ", ",
              rule.entries().stream()
                  .map(e -> e.key() + (e.value().map(v -> "=" + v).orElse("")))
                  .toList()));
      sb.append("]\n");
      var l = rule.limit();
      sb.append("  limit: ")
          .append(
              l.unlimited() ? "unlimited" : l.requests() + " per " + l.unit().name().toLowerCase())
          .append(l.shadow() ? " (shadow)" : "")
          .append('\n');
      rule.failOpen().ifPresent(open -> sb.append("  failOpen: ").append(open).append('\n'));
      sb.append("  policy: ")
          .append(rule.policy().replace(dir.toString() + File.separator, ""))
          .append('\n');
    }
    return sb.toString();
  }

  /** Findings one per line, with the case folder cut from every path (also inside messages). */
  static String lines(Path dir, List<Finding> findings) {
    String prefix = dir.toString() + File.separator;
    StringBuilder sb = new StringBuilder();
    findings.forEach(f -> sb.append(f.format().replace(prefix, "")).append('\n'));
    return sb.toString();
  }

  private static void check(Path dir) throws IOException {
    Output output = render(dir);
    assertThat(render(dir)).as("a second run gives byte-identical output").isEqualTo(output);
    assertThat(output.problems()).as("ConsistencyCheck.problems").isEmpty();
    if (isInvalidCase(dir)) {
      assertThat(output.hasErrors()).as("a case named invalid-* must be rejected").isTrue();
    } else {
      assertThat(output.files().getOrDefault("errors.txt", ""))
          .as("a case not named invalid-* must be accepted")
          .isEmpty();
      assertThat(output.files().keySet())
          .as("a valid case produces at least one proxy group")
          .anyMatch(k -> k.endsWith("/listeners.yaml"));
    }
    compare(dir.resolve("out"), output.files());
  }

  private static void compare(Path out, Map<String, String> actual) throws IOException {
    Map<String, String> expected = new TreeMap<>();
    if (Files.isDirectory(out)) {
      try (Stream<Path> s = Files.walk(out)) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          expected.put(
              out.relativize(p).toString().replace(File.separatorChar, '/'), Files.readString(p));
        }
      }
    }
    if (update()) {
      for (var e : actual.entrySet()) {
        if (!e.getValue().equals(expected.get(e.getKey()))) {
          Path p = out.resolve(e.getKey());
          Files.createDirectories(p.getParent());
          Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
        }
      }
      for (String orphan : expected.keySet()) {
        if (!actual.containsKey(orphan)) {
          Files.delete(out.resolve(orphan));
        }
      }
      deleteEmptyFolders(out);
      return;
    }
    StringBuilder problems = new StringBuilder();
    for (var e : actual.entrySet()) {
      String want = expected.get(e.getKey());
      if (want == null) {
        problems
            .append("missing expected file out/")
            .append(e.getKey())
            .append(", which would contain:\n")
            .append(e.getValue())
            .append('\n');
      } else if (!want.equals(e.getValue())) {
        problems
            .append(
                TextDiff.unified(
                    "out/" + e.getKey() + " (expected)",
                    want,
                    "out/" + e.getKey() + " (actual)",
                    e.getValue()))
            .append('\n');
      }
    }
    for (String orphan : expected.keySet()) {
      if (!actual.containsKey(orphan)) {
        problems
            .append("orphaned file out/")
            .append(orphan)
            .append(": this case no longer produces it\n");
      }
    }
    if (!problems.isEmpty()) {
      fail(
          "golden output of "
              + out.getParent().getFileName()
              + " differs (rerun with -Dgolden.update=true to accept"
              + " after checking it):\n"
              + problems);
    }
  }

  private static void deleteEmptyFolders(Path out) throws IOException {
    if (!Files.isDirectory(out)) {
      return;
    }
    try (Stream<Path> s = Files.walk(out)) {
      for (Path d : s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
        try (Stream<Path> children = Files.list(d)) {
          if (children.findAny().isEmpty()) {
            Files.delete(d);
          }
        }
      }
    }
  }
}
