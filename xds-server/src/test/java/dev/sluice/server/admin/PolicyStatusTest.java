package dev.sluice.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.policy.PolicyKinds;
import dev.sluice.policy.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyStatusTest {
  /** One valid document of every registered kind; a kind added to the registry needs one here. */
  private static final String EVERY_KIND =
      """
      kind: Gateway
      name: edge
      port: 8080
      auth: {apiKey: {}}
      ---
      kind: Route
      name: orders
      match: {prefix: /orders}
      to: orders
      ---
      kind: Route
      name: web
      match: {prefix: /web}
      to: web
      auth: {jwt: {providers: [issuer]}}
      ---
      kind: Upstream
      name: orders
      loadBalancer: {algorithm: least-request}
      ---
      kind: JwtProvider
      name: issuer
      issuer: https://issuer.example.com
      jwks: {url: https://issuer.example.com/jwks.json}
      ---
      kind: Consumer
      name: alice
      apiKeys: [sha256:2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90]
      ---
      kind: Mesh
      name: mesh
      trustDomain: sluice.local
      ---
      kind: Sidecar
      name: orders
      inbound: {port: 21002, appPort: 9002}
      ---
      kind: Sidecar
      name: web
      inbound: {port: 21001, appPort: 9001}
      upstreams:
        - {service: orders, localPort: 10002}
      ---
      kind: ServiceAccess
      name: web-to-orders
      from: web
      to: orders
      """;

  @Test
  void everyRegisteredKindIsListedWithTheGroupsItReaches(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("all.yaml"), EVERY_KIND);
    PolicyLoader.Result load = PolicyLoader.load(dir);
    assertThat(load.findings()).noneMatch(f -> f.isError());

    List<PolicyStatus.Entry> entries = PolicyStatus.of(load);

    assertThat(
            entries.stream()
                .map(e -> e.resource().substring(0, e.resource().indexOf('/')))
                .distinct())
        .containsExactlyElementsOf(PolicyKinds.names());
    assertThat(entries).allMatch(e -> e.state() == PolicyStatus.State.SERVING);
    Map<String, Object> groups =
        entries.stream()
            .collect(
                Collectors.toMap(
                    PolicyStatus.Entry::resource, e -> List.copyOf(new TreeSet<>(e.groups()))));
    assertThat(groups)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "Gateway/edge", List.of("edge"),
                "Route/orders", List.of("edge"),
                "Route/web", List.of("edge"),
                "Upstream/orders", List.of("edge", "sidecar~orders", "sidecar~web"),
                "JwtProvider/issuer", List.of("edge"),
                "Consumer/alice", List.of("edge"),
                "Mesh/mesh", List.of("edge", "sidecar~orders", "sidecar~web"),
                "Sidecar/orders", List.of("edge", "sidecar~orders", "sidecar~web"),
                "Sidecar/web", List.of("edge", "sidecar~web"),
                "ServiceAccess/web-to-orders", List.of("sidecar~orders")));
  }
}
