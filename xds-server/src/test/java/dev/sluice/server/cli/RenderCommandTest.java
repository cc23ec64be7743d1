package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.discovery.FileCatalogSource;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.server.render.Rendered;
import dev.sluice.server.render.Renderer;
import dev.sluice.server.render.XdsType;
import dev.sluice.testing.RepoPaths;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice render}: the resources a proxy group gets, printed offline. */
class RenderCommandTest {
  private static final Path ROOT = RepoPaths.root();
  private static final String POLICIES = ROOT.resolve("compose/demo/policies").toString();
  private static final String REGISTRY = ROOT.resolve("compose/demo/services.yaml").toString();

  private static Rendered expected(String group) {
    return Renderer.render(
            FileCatalogSource.read(Path.of(REGISTRY)).catalog().orElseThrow(),
            PolicyLoader.load(Path.of(POLICIES)).policies().orElseThrow())
        .get(group);
  }

  @Test
  void aGroupIsPrintedAsTheServerPipelineRendersIt() {
    CliRun run =
        CliRun.of("render", "--policies", POLICIES, "--registry", REGISTRY, "--proxy", "edge");
    assertThat(run.exit()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .isEqualTo(expected("edge").yaml())
        .startsWith("listeners:\n- name: http-8080\n");
    assertThat(run.outLines()).contains("routes:", "clusters:", "endpoints:", "secrets: []");
  }

  @Test
  void oneTypeIsPrintedAsAYamlListOfThatTypeOnly() {
    CliRun run =
        CliRun.of(
            "render",
            "--policies",
            POLICIES,
            "--registry",
            REGISTRY,
            "--proxy",
            "edge",
            "--type",
            "routes");
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .isEqualTo(expected("edge").yaml(XdsType.ROUTES))
        .startsWith("- name: http-8080\n  virtual_hosts:\n")
        .contains("prefix: /users", "prefix: /orders")
        .doesNotContain("listeners", "cluster_name");
  }

  @Test
  void withoutProxyEveryGroupIsPrintedUnderItsName(@TempDir Path dir) throws Exception {
    Path policies = Files.createDirectory(dir.resolve("policies"));
    Files.writeString(
        policies.resolve("gateways.yaml"),
        """
        kind: Gateway
        name: public
        port: 8080
        ---
        kind: Gateway
        name: internal
        port: 9090
        ---
        kind: Route
        name: users
        gateway: public
        to: users
        ---
        kind: Route
        name: orders
        gateway: internal
        to: orders
        """);
    CliRun run =
        CliRun.of(
            "render",
            "--policies",
            policies.toString(),
            "--registry",
            REGISTRY,
            "--type",
            "listeners");
    assertThat(run.exit()).isZero();
    assertThat(run.outLines())
        .filteredOn(l -> l.startsWith("#") || l.equals("---"))
        .containsExactly("# proxy group: internal", "---", "# proxy group: public");
    assertThat(run.out()).contains("name: http-9090", "name: http-8080");
  }

  @Test
  void theRegistryDefaultsToServicesYamlNextToThePolicyFolder() {
    CliRun run = CliRun.of("render", "--policies", POLICIES, "--proxy", "edge");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).isEqualTo(expected("edge").yaml());
  }

  @Test
  void invalidPoliciesPrintTheFindingsExactlyAsValidateDoesAndExitOne() {
    String mistakes = ROOT.resolve("compose/validate-examples/mistakes").toString();
    CliRun validate = CliRun.of("validate", mistakes, "--registry", REGISTRY);
    CliRun render =
        CliRun.of("render", "--policies", mistakes, "--registry", REGISTRY, "--proxy", "edge");
    assertThat(render.exit()).isEqualTo(1);
    assertThat(render.out()).isEmpty();
    assertThat(render.errLines())
        .isEqualTo(validate.outLines())
        .hasSize(12)
        .last()
        .isEqualTo("9 error(s), 2 warning(s): nothing would be applied");
  }

  @Test
  void aRegistryFileWithErrorsIsReportedAndExitsOne(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("services.yaml"),
        "services:\n  users:\n    - address: 127.0.0.1\n      port: 99999\n");
    CliRun run =
        CliRun.of(
            "render",
            "--policies",
            POLICIES,
            "--registry",
            dir.resolve("services.yaml").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.errLines())
        .containsExactly(
            "error: "
                + dir.resolve("services.yaml")
                + ":4:13: Service/users field services.users[0].port: 99999 is out of range 1..65535",
            "1 error(s), 0 warning(s): nothing would be applied");
  }

  @Test
  void warningsGoToStandardErrorAndTheYamlStaysClean(@TempDir Path dir) throws Exception {
    Path policies = Files.createDirectory(dir.resolve("policies"));
    Files.writeString(
        policies.resolve("all.yaml"),
        "kind: Gateway\nname: edge\nport: 8080\n---\nkind: Route\nname: x\nto: nowhere\n");
    CliRun run =
        CliRun.of(
            "render", "--policies", policies.toString(), "--registry", REGISTRY, "--proxy", "edge");
    assertThat(run.exit()).isZero();
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith(
            "warning: "
                + policies.resolve("all.yaml")
                + ":7:5: Route/x field to: service \"nowhere\" is not in the registry");
    assertThat(Rendered.parse("edge", run.out()).of(XdsType.CLUSTERS))
        .extracting(Rendered.Resource::name)
        .containsExactly("nowhere");
  }

  @Test
  void anUnknownProxyListsTheKnownGroupsAndExitsTwo() {
    CliRun run =
        CliRun.of("render", "--policies", POLICIES, "--registry", REGISTRY, "--proxy", "egde");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("render: unknown proxy 'egde'; known proxy groups: edge.");
  }

  @Test
  void anEnvoyBootstrapFileStandsForTheGroupItsNodeNames() {
    CliRun run =
        CliRun.of(
            "render",
            "--policies",
            POLICIES,
            "--registry",
            REGISTRY,
            "--proxy",
            ROOT.resolve("envoy-configs/edge.yaml").toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).isEqualTo(expected("edge").yaml());
  }

  @Test
  void anUnknownTypeIsAUsageError() {
    CliRun run = CliRun.of("render", "--policies", POLICIES, "--type", "vhosts");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains("unknown type 'vhosts' (one of listeners, routes, clusters, endpoints, secrets)");
  }

  @Test
  void consulIsReadOnceWithTheTokenFromTheTokenFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("token"), "s3cret\n");
    String users =
        """
        [{"Node": {"Node": "n1", "Address": "10.0.0.1", "Datacenter": "dc1"},
          "Service": {"ID": "users-1", "Service": "users", "Address": "10.0.0.7", "Port": 9001, "Tags": ["v1"]},
          "Checks": [{"Status": "passing"}]}]""";
    try (FakeConsul consul = new FakeConsul("s3cret", Map.of("users", users, "orders", "[]"))) {
      CliRun run =
          CliRun.of(
              "render",
              "--policies",
              POLICIES,
              "--proxy",
              "edge",
              "--type",
              "endpoints",
              "--registry",
              consul.address() + "?token-file=" + dir.resolve("token"));
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(run.out())
          .contains(
              "cluster_name: users",
              "address: 10.0.0.7",
              "port_value: 9001",
              "cluster_name: orders");
      assertThat(run.err()).doesNotContain("s3cret");
    }
  }

  @Test
  void consulThatRefusesTheTokenExitsTwo() throws Exception {
    try (FakeConsul consul = new FakeConsul("s3cret", Map.of("users", "[]"))) {
      CliRun run = CliRun.of("render", "--policies", POLICIES, "--registry", consul.address());
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err())
          .contains("render: cannot read consul http://127.0.0.1:")
          .contains("Consul answered 403");
    }
  }

  @Test
  void consulThatCannotBeReachedExitsTwoAtOnce() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    long start = System.nanoTime();
    CliRun run =
        CliRun.of("render", "--policies", POLICIES, "--registry", "consul://127.0.0.1:" + port);
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).startsWith("render: cannot read consul http://127.0.0.1:" + port);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000);
  }

  @Test
  void anUnknownConsulParameterIsAUsageError() {
    CliRun run =
        CliRun.of(
            "render", "--policies", POLICIES, "--registry", "consul://127.0.0.1:8500?token=abc");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "unknown parameter 'token' in consul://127.0.0.1:8500 (known: token-file, dc, ca-file, cert-file, key-file)")
        .doesNotContain("abc");
  }
}
