package dev.sluice.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.testing.RepoPaths;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The table of HTTP filters is the whole filter chain: every filter class has a row, in the order
 * docs/contributing.md gives, and every filter that configures routes has its place there too.
 */
class HttpFilterChainTest {
  static final Path CONTRIBUTING = RepoPaths.root().resolve("docs/contributing.md");

  /** A row of the documented order: {@code 1. `envoy.filters.http.cors` — why it is here}. */
  static final Pattern ROW = Pattern.compile("^\\d+\\. `([^`]+)`");

  /** An Any's type as the golden files print it. */
  static final Pattern TYPE = Pattern.compile("@type'?: type\\.googleapis\\.com/([A-Za-z0-9_.]+)");

  @Test
  void everyFilterClassHasARowInTheChain() throws Exception {
    Set<Class<?>> rows =
        HttpFilterChain.FILTERS.stream().map(Object::getClass).collect(Collectors.toSet());
    assertThat(filterClasses())
        .as("classes implementing HttpFilterFeature")
        .containsExactlyInAnyOrderElementsOf(rows);
    assertThat(HttpFilterChain.FILTERS).as("one row per class").hasSameSizeAs(rows);
  }

  @Test
  void theChainIsInTheDocumentedOrderWithTheRouterLast() throws IOException {
    List<String> names = HttpFilterChain.FILTERS.stream().map(HttpFilterFeature::name).toList();
    assertThat(names)
        .as("HttpFilterChain.FILTERS against %s", CONTRIBUTING)
        .containsExactlyElementsOf(documentedOrder());
    assertThat(HttpFilterChain.FILTERS.get(HttpFilterChain.FILTERS.size() - 1))
        .isInstanceOf(RouterFilter.class);
  }

  @Test
  void everyFilterWithRouteConfigHasItsPlaceInTheRouteConfigOrder() {
    List<HttpFilterFeature> withRouteConfig =
        HttpFilterChain.FILTERS.stream().filter(HttpFilterChainTest::configuresRoutes).toList();
    assertThat(HttpFilterChain.ROUTE_CONFIG_ORDER)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(withRouteConfig);
  }

  /**
   * A type that printing resolves only because another one's file imports it would go unnoticed
   * until that import changes; every type the golden outputs show is named by its filter or by
   * XdsYaml itself.
   */
  @Test
  void everyPackedTypeInTheGoldenOutputsIsNamed() throws IOException {
    Set<String> named =
        XdsYaml.PACKED.stream().map(Descriptor::getFullName).collect(Collectors.toSet());
    Set<String> shown;
    try (Stream<Path> files = Files.walk(GoldenTest.GOLDEN)) {
      shown =
          files
              .filter(
                  p ->
                      p.toString().endsWith(".yaml")
                          && p.getParent().getParent().getFileName().toString().equals("out"))
              .flatMap(HttpFilterChainTest::lines)
              .map(TYPE::matcher)
              .filter(Matcher::find)
              .map(m -> m.group(1))
              .collect(Collectors.toSet());
    }
    assertThat(shown).as("@type values in the golden outputs").isNotEmpty();
    assertThat(named).as("XdsYaml.PACKED").containsAll(shown);
  }

  private static Stream<String> lines(Path p) {
    try {
      return Files.readAllLines(p).stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The numbered list under the heading "The filter chain". */
  static List<String> documentedOrder() throws IOException {
    List<String> lines = Files.readAllLines(CONTRIBUTING);
    int start = lines.indexOf("### The filter chain");
    assertThat(start).as("a heading \"### The filter chain\" in %s", CONTRIBUTING).isNotNegative();
    return lines.stream()
        .skip(start + 1)
        .takeWhile(l -> !l.startsWith("#"))
        .map(ROW::matcher)
        .filter(Matcher::find)
        .map(m -> m.group(1))
        .toList();
  }

  /**
   * Every concrete class of this package, read from the folder the main classes are compiled to.
   */
  static List<Class<?>> filterClasses() throws IOException, URISyntaxException {
    Path classes =
        Path.of(
            HttpFilterFeature.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path pkg = classes.resolve(HttpFilterFeature.class.getPackageName().replace('.', '/'));
    try (Stream<Path> files = Files.list(pkg)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".class"))
          .<Class<?>>map(
              n ->
                  load(
                      HttpFilterFeature.class.getPackageName()
                          + "."
                          + n.substring(0, n.length() - ".class".length())))
          .filter(c -> HttpFilterFeature.class.isAssignableFrom(c) && !c.isInterface())
          .toList();
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, HttpFilterChainTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean configuresRoutes(HttpFilterFeature f) {
    try {
      return f.getClass()
                  .getMethod("patchRoute", HttpRoute.class, Route.Builder.class)
                  .getDeclaringClass()
              != HttpFilterFeature.class
          || f.getClass()
                  .getMethod("patchVirtualHost", HttpListener.class, VirtualHost.Builder.class)
                  .getDeclaringClass()
              != HttpFilterFeature.class;
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
  }
}
