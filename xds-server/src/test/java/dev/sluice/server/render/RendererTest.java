package dev.sluice.server.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.discovery.CatalogFileParser;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.testing.RepoPaths;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** {@link Renderer}: the server's pipeline, printed as the golden files print it. */
class RendererTest {
  private static final Path GOLDEN = RepoPaths.resolve("policy-engine/src/test/resources/golden");

  /** A golden case's input: its registry document and its policy documents. */
  record Case(ServiceCatalog catalog, PolicySet policies) {}

  static Case read(Path dir) throws Exception {
    List<YamlDocument> docs = YamlFiles.read(dir.resolve("in.yaml"));
    ServiceCatalog catalog =
        CatalogFileParser.parse(
                docs.stream().filter(d -> d.root().isObject() && d.root().has("services")).toList(),
                new Diagnostics())
            .orElseThrow();
    PolicySet policies =
        PolicyLoader.fromDocuments(
                docs.stream()
                    .filter(d -> !(d.root().isObject() && d.root().has("services")))
                    .toList(),
                new Diagnostics())
            .policies()
            .orElseThrow();
    return new Case(catalog, policies);
  }

  @TestFactory
  Stream<DynamicTest> eachTypeOfEachGoldenCaseIsPrintedExactlyAsItsGoldenFile() throws Exception {
    List<Path> cases;
    try (Stream<Path> s = Files.list(GOLDEN)) {
      cases =
          s.filter(
                  p ->
                      Files.isRegularFile(p.resolve("in.yaml"))
                          && !p.getFileName().toString().startsWith("invalid-"))
              .sorted()
              .toList();
    }
    assertThat(cases).hasSizeGreaterThan(10);
    return cases.stream()
        .map(
            dir ->
                DynamicTest.dynamicTest(
                    dir.getFileName().toString(),
                    () -> {
                      Case c = read(dir);
                      Map<String, Rendered> groups = Renderer.render(c.catalog(), c.policies());
                      assertThat(groups).isNotEmpty();
                      for (Rendered r : groups.values()) {
                        for (XdsType t : XdsType.values()) {
                          Path golden =
                              dir.resolve("out").resolve(r.group()).resolve(t.key() + ".yaml");
                          String expected =
                              Files.isRegularFile(golden) ? Files.readString(golden) : "[]\n";
                          assertThat(withoutMeshSecretStubs(r).yaml(t))
                              .as("%s %s", r.group(), t)
                              .isEqualTo(expected);
                        }
                      }
                    }));
  }

  /**
   * The golden files hold what the translator makes; the mesh secrets' stubs are the renderer's
   * own.
   */
  private static Rendered withoutMeshSecretStubs(Rendered r) {
    Map<XdsType, List<Rendered.Resource>> all = new EnumMap<>(r.resources());
    all.put(
        XdsType.SECRETS,
        r.of(XdsType.SECRETS).stream().filter(s -> !s.json().has("not_shown")).toList());
    return new Rendered(r.group(), all);
  }

  @Test
  void renderingTwiceGivesTheSameText() throws Exception {
    Case c = read(GOLDEN.resolve("gateway-tls"));
    Map<String, Rendered> once = Renderer.render(c.catalog(), c.policies());
    Map<String, Rendered> twice = Renderer.render(c.catalog(), c.policies());
    assertThat(twice).isEqualTo(once);
    assertThat(twice.get("edge").yaml()).isEqualTo(once.get("edge").yaml());
  }

  @Test
  void theWholeGroupIsOneSectionPerTypeInTypeOrderWithEmptyTypesAsEmptyLists() throws Exception {
    Case c = read(GOLDEN.resolve("single-route"));
    String yaml = Renderer.render(c.catalog(), c.policies()).get("edge").yaml();
    List<String> sections =
        yaml.lines().filter(l -> !l.startsWith(" ") && !l.startsWith("-")).toList();
    assertThat(sections)
        .containsExactly("listeners:", "routes:", "clusters:", "endpoints:", "secrets: []");
  }

  @Test
  void privateKeysAreRedactedWithAFingerprint() throws Exception {
    Case c = read(GOLDEN.resolve("gateway-tls"));
    String yaml = Renderer.render(c.catalog(), c.policies()).get("edge").yaml();
    assertThat(yaml).contains("private_key: <redacted sha256:").doesNotContain("PRIVATE KEY-----");
  }

  @Test
  void parsingThePrintedTextGivesBackTheSameText() throws Exception {
    Case c = read(GOLDEN.resolve("gateway-tls"));
    for (Rendered r : Renderer.render(c.catalog(), c.policies()).values()) {
      Rendered back = Rendered.parse(r.group(), r.yaml());
      assertThat(back.yaml()).isEqualTo(r.yaml());
      for (XdsType t : XdsType.values()) {
        assertThat(back.of(t))
            .extracting(Rendered.Resource::name)
            .isEqualTo(r.of(t).stream().map(Rendered.Resource::name).toList());
      }
    }
  }

  @Test
  void parsingTreatsAMissingSectionAsEmptyAndRefusesOtherShapes() {
    Rendered r = Rendered.parse("edge", "clusters:\n- name: users\n  type: EDS\n");
    assertThat(r.of(XdsType.CLUSTERS)).extracting(Rendered.Resource::name).containsExactly("users");
    assertThat(r.of(XdsType.ROUTES)).isEmpty();
    assertThatThrownBy(() -> Rendered.parse("edge", "- a\n- b\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected a map");
    assertThatThrownBy(() -> Rendered.parse("edge", "routes:\n- virtual_hosts: []\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("routes: every resource needs a name");
  }

  @Test
  void resourcesAreSortedByNameAndEndpointsNamedByTheirCluster() {
    Rendered r =
        Rendered.parse(
            "edge",
            "clusters:\n- name: b\n- name: a\nendpoints:\n- cluster_name: z\n- cluster_name: y\n");
    assertThat(r.of(XdsType.CLUSTERS))
        .extracting(Rendered.Resource::name)
        .containsExactly("a", "b");
    assertThat(r.of(XdsType.ENDPOINTS))
        .extracting(Rendered.Resource::name)
        .containsExactly("y", "z");
  }
}
