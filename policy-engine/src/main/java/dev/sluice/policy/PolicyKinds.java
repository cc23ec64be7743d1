package dev.sluice.policy;

import dev.sluice.policy.consumer.ConsumerKind;
import dev.sluice.policy.gateway.GatewayKind;
import dev.sluice.policy.jwt.JwtProviderKind;
import dev.sluice.policy.mesh.MeshKind;
import dev.sluice.policy.route.RouteKind;
import dev.sluice.policy.serviceaccess.ServiceAccessKind;
import dev.sluice.policy.sidecar.SidecarKind;
import dev.sluice.policy.upstream.UpstreamKind;
import java.util.List;
import java.util.Optional;

/**
 * The registry of policy kinds, in the order they are read and compiled. One explicit list, not
 * classpath scanning, so adding a kind is one line here and a folder of its own.
 */
public final class PolicyKinds {
  public static final List<PolicyKind<?>> ALL =
      List.of(
          new GatewayKind(),
          new RouteKind(),
          new UpstreamKind(),
          new JwtProviderKind(),
          new ConsumerKind(),
          new MeshKind(),
          new SidecarKind(),
          new ServiceAccessKind());

  private PolicyKinds() {}

  public static Optional<PolicyKind<?>> byName(String kind) {
    return ALL.stream().filter(k -> k.kind().equals(kind)).findFirst();
  }

  public static List<String> names() {
    return ALL.stream().map(PolicyKind::kind).toList();
  }
}
