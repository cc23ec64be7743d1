package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.policy.route.RouteSpec;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.YamlFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** PolicySet's lookups by name (indexed, see PolicyIndex). */
class PolicySetTest {
  private static PolicySet load(String yaml) throws Exception {
    PolicyLoader.Result r =
        PolicyLoader.fromDocuments(YamlFiles.parse(Path.of("p.yaml"), yaml), new Diagnostics());
    return r.policies().orElseThrow(() -> new AssertionError(r.findings()));
  }

  @Test
  void lookupsFindEachPolicyByNameAndRoutesByGatewayInDeclarationOrder() throws Exception {
    PolicySet set =
        load(
            """
        kind: Gateway
        name: edge
        port: 8080
        ---
        kind: Gateway
        name: internal
        port: 9090
        ---
        kind: Route
        name: b
        gateway: edge
        match: {prefix: /b}
        to: users
        ---
        kind: Route
        name: i
        gateway: internal
        to: admin
        ---
        kind: Route
        name: a
        gateway: edge
        match: {prefix: /a}
        to: orders
        ---
        kind: Upstream
        name: users
        connectTimeout: 2s
        """);

    assertThat(set.routesOf("edge")).extracting(RouteSpec::name).containsExactly("b", "a");
    assertThat(set.routesOf("internal")).extracting(RouteSpec::name).containsExactly("i");
    assertThat(set.routesOf("nowhere")).isEmpty();
    assertThat(set.upstream("users"))
        .hasValueSatisfying(u -> assertThat(u.name()).isEqualTo("users"));
    assertThat(set.upstream("orders")).isEmpty();
    assertThat(set.gateway("internal"))
        .hasValueSatisfying(g -> assertThat(g.listen().port()).isEqualTo(9090));
    assertThat(set.sidecar("users")).isEmpty();
    assertThat(set.accessTo("users")).isEmpty();
  }
}
