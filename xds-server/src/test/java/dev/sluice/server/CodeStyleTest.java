package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Main code names a type by an import and its simple name. A fully qualified name stays only where
 * a file uses two types of one simple name (an IR record and the Envoy message it becomes, two
 * Envoy messages, {@code java.time.Duration} and protobuf's) and neither is a nested type that its
 * enclosing type can name; those files and names are listed in {@link #CLASHES}.
 */
class CodeStyleTest {
  /**
   * A qualified type name: a package that starts with a root our code or its libraries use, then
   * the first segment that starts with a capital letter.
   */
  private static final Pattern QUALIFIED =
      Pattern.compile(
          "(?<![\\w.$])(?:java|javax|jakarta|dev|io|com|org|net|picocli)"
              + "(?:\\.[a-z_][a-z0-9_]*)*\\.[A-Z]\\w*");

  private static final Pattern IMPORT_OR_PACKAGE = Pattern.compile("^\\s*(import|package)\\s");

  private static final String XDS = "policy-engine/src/main/java/dev/sluice/xds/";

  /**
   * Qualified names that stay, each as its file's path from the repository root, a space, the name.
   */
  private static final Set<String> CLASHES =
      Set.of(
          XDS + "EndpointTranslator.java io.envoyproxy.envoy.config.endpoint.v3.Endpoint",
          XDS + "ForwardFeature.java io.envoyproxy.envoy.config.route.v3.WeightedCluster",
          XDS
              + "GlobalRateLimitFilters.java"
              + " io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit",
          XDS
              + "IdentityHeaders.java"
              + " io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
          XDS
              + "JwtAuthn.java io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement",
          XDS + "MatchFeature.java io.envoyproxy.envoy.config.route.v3.RouteMatch",
          XDS + "Protos.java java.time.Duration",
          XDS + "RouteTableTranslator.java io.envoyproxy.envoy.config.route.v3.VirtualHost");

  @Test
  void mainCodeNamesTypesByImportAndSimpleName() {
    List<String> found = new ArrayList<>();
    qualifiedNamesInMainCode()
        .forEach(
            (file, names) ->
                names.stream()
                    .filter(n -> !CLASHES.contains(file + " " + n.name()))
                    .forEach(n -> found.add(file + ":" + n)));
    assertThat(found)
        .as(
            "fully qualified type names in main code: import the type and use its simple name;"
                + " where two types of one simple name meet, name a nested one by its enclosing"
                + " type, else list the file and name in CodeStyleTest.CLASHES")
        .isEmpty();
  }

  @Test
  void everyListedClashIsStillInItsFile() {
    Set<String> inCode = new HashSet<>();
    qualifiedNamesInMainCode()
        .forEach((file, names) -> names.forEach(n -> inCode.add(file + " " + n.name())));
    assertThat(inCode)
        .as("CodeStyleTest.CLASHES entries that no file needs any more")
        .containsAll(CLASHES);
  }

  @Test
  void findsAQualifiedNameInCodeWithItsLineAndColumn() {
    String source =
        """
        package dev.sluice.example;

        class Example {
          Object value = java.util.Optional.of(dev.sluice.ir.Compiler.class);
        }
        """;

    assertThat(qualifiedNames(source))
        .extracting(QualifiedName::toString)
        .containsExactly("4:18: java.util.Optional", "4:40: dev.sluice.ir.Compiler");
  }

  @Test
  void skipsImportsPackageLinesCommentsAndLiterals() {
    String source =
        """
        package dev.sluice.example;

        import java.util.Optional;

        /** Uses {@link java.util.Optional}. */
        class Example {
          // java.util.List is not used
          String text = "java.util.Map";
          String block = \"""
              java.util.Set
              \""";
          Object value = Optional.of(value.getClass().getName());
        }
        """;

    assertThat(qualifiedNames(source)).isEmpty();
  }

  /** The qualified names in each main source file, by its path from the repository root. */
  private static Map<String, List<QualifiedName>> qualifiedNamesInMainCode() {
    Path root = RepoPaths.root();
    Map<String, List<QualifiedName>> byFile = new TreeMap<>();
    for (Path file : mainSources(root)) {
      List<QualifiedName> names = qualifiedNames(read(file));
      if (!names.isEmpty()) {
        byFile.put(root.relativize(file).toString().replace('\\', '/'), names);
      }
    }
    return byFile;
  }

  private static List<Path> mainSources(Path root) {
    try (Stream<Path> modules = Files.list(root)) {
      List<Path> sources = new ArrayList<>();
      for (Path dir :
          modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(sources::add);
        }
      }
      assertThat(sources).as("main sources under " + root).isNotEmpty();
      return sources;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<QualifiedName> qualifiedNames(String source) {
    List<QualifiedName> names = new ArrayList<>();
    String[] lines = CodeOnly.of(source).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (IMPORT_OR_PACKAGE.matcher(lines[i]).find()) {
        continue;
      }
      Matcher m = QUALIFIED.matcher(lines[i]);
      while (m.find()) {
        names.add(new QualifiedName(i + 1, m.start() + 1, m.group()));
      }
    }
    return names;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record QualifiedName(int line, int column, String name) {
    @Override
    public String toString() {
      return line + ":" + column + ": " + name;
    }
  }
}
