package dev.sluice.policy;

import dev.sluice.policy.consumer.ConsumerSpec;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.jwt.JwtProviderSpec;
import dev.sluice.policy.mesh.MeshSpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.serviceaccess.ServiceAccessSpec;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.policy.upstream.UpstreamSpec;
import java.util.List;
import java.util.Optional;

/**
 * Every valid policy, in declaration order (files sorted by path, then documents in file order).
 * Route order matters: the first matching route wins, as in Istio's VirtualService.
 */
public record PolicySet(
    List<GatewaySpec> gateways, List<RouteSpec> routes, List<UpstreamSpec> upstreams, List<ConsumerSpec> consumers,
    List<JwtProviderSpec> jwtProviders, List<SidecarSpec> sidecars, List<ServiceAccessSpec> serviceAccess, MeshSpec mesh) {
  public static final PolicySet EMPTY =
      new PolicySet(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), MeshSpec.DEFAULT);

  /** A set without mesh policies (sidecars, service access, the Mesh settings at their defaults). */
  public PolicySet(
      List<GatewaySpec> gateways, List<RouteSpec> routes, List<UpstreamSpec> upstreams, List<ConsumerSpec> consumers,
      List<JwtProviderSpec> jwtProviders) {
    this(gateways, routes, upstreams, consumers, jwtProviders, List.of(), List.of(), MeshSpec.DEFAULT);
  }

  public PolicySet {
    gateways = List.copyOf(gateways);
    routes = List.copyOf(routes);
    upstreams = List.copyOf(upstreams);
    consumers = List.copyOf(consumers);
    jwtProviders = List.copyOf(jwtProviders);
    sidecars = List.copyOf(sidecars);
    serviceAccess = List.copyOf(serviceAccess);
    java.util.Objects.requireNonNull(mesh, "mesh (MeshSpec.DEFAULT when no Mesh is written)");
  }

  public Optional<SidecarSpec> sidecar(String service) {
    return Optional.ofNullable(PolicyIndex.of(this).sidecars.get(service));
  }

  /** The ServiceAccess statements whose {@code to} is the service, in declaration order. */
  public List<ServiceAccessSpec> accessTo(String service) {
    return PolicyIndex.of(this).accessByService.getOrDefault(service, List.of());
  }

  /** The Upstream policy of a service, if one is written. */
  public Optional<UpstreamSpec> upstream(String service) {
    return Optional.ofNullable(PolicyIndex.of(this).upstreams.get(service));
  }

  public Optional<GatewaySpec> gateway(String name) {
    return Optional.ofNullable(PolicyIndex.of(this).gateways.get(name));
  }

  /** Routes attached to a gateway, in declaration order. */
  public List<RouteSpec> routesOf(String gateway) {
    return PolicyIndex.of(this).routesByGateway.getOrDefault(gateway, List.of());
  }

  public Optional<JwtProviderSpec> jwtProvider(String name) {
    return Optional.ofNullable(PolicyIndex.of(this).jwtProviders.get(name));
  }

  /** The route's own auth, else its gateway's; empty when there is none. */
  public Optional<dev.sluice.policy.auth.AuthSpec> effectiveAuth(RouteSpec r) {
    var own = r.options().auth();
    var auth = own.isPresent() ? own : gateway(r.gateway()).flatMap(GatewaySpec::auth);
    return auth.filter(a -> !a.isNone());
  }
}
