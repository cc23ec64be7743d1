package dev.sluice.policy;

import dev.sluice.policy.consumer.ConsumerSpec;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.jwt.JwtProviderSpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.upstream.UpstreamSpec;
import java.util.List;
import java.util.Optional;

/**
 * Every valid policy, in declaration order (files sorted by path, then documents in file order).
 * Route order matters: the first matching route wins, as in Istio's VirtualService.
 */
public record PolicySet(
    List<GatewaySpec> gateways, List<RouteSpec> routes, List<UpstreamSpec> upstreams, List<ConsumerSpec> consumers,
    List<JwtProviderSpec> jwtProviders) {
  public static final PolicySet EMPTY = new PolicySet(List.of(), List.of(), List.of(), List.of(), List.of());

  public PolicySet {
    gateways = List.copyOf(gateways);
    routes = List.copyOf(routes);
    upstreams = List.copyOf(upstreams);
    consumers = List.copyOf(consumers);
    jwtProviders = List.copyOf(jwtProviders);
  }

  /** The Upstream policy of a service, if one is written. */
  public Optional<UpstreamSpec> upstream(String service) {
    return upstreams.stream().filter(u -> u.name().equals(service)).findFirst();
  }

  public Optional<GatewaySpec> gateway(String name) {
    return gateways.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /** Routes attached to a gateway, in declaration order. */
  public List<RouteSpec> routesOf(String gateway) {
    return routes.stream().filter(r -> r.gateway().equals(gateway)).toList();
  }

  public Optional<JwtProviderSpec> jwtProvider(String name) {
    return jwtProviders.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The route's own auth, else its gateway's; empty when there is none. */
  public Optional<dev.sluice.policy.auth.AuthSpec> effectiveAuth(RouteSpec r) {
    var own = r.options().auth();
    var auth = own.isPresent() ? own : gateway(r.gateway()).flatMap(GatewaySpec::auth);
    return auth.filter(a -> !a.isNone());
  }
}
