package dev.sluice.policy;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.jwt.JwtProviderSpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.serviceaccess.ServiceAccessSpec;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.policy.upstream.UpstreamSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * {@link PolicySet}'s lookups by name. The compiler asks for a service's Upstream and Sidecar once
 * per route and per cluster; scanning the lists would make a compile quadratic in the number of
 * services.
 *
 * <p>A record holds no derived fields, so each set's index is built on its first lookup and kept
 * here, by the set's identity, for as long as the set lives. The index refers only to the set's
 * specs, never to the set, so the weak key can go.
 */
final class PolicyIndex {
  private static final Cache<PolicySet, PolicyIndex> INDEXES =
      CacheBuilder.newBuilder().weakKeys().build();

  final Map<String, UpstreamSpec> upstreams;
  final Map<String, SidecarSpec> sidecars;
  final Map<String, GatewaySpec> gateways;
  final Map<String, JwtProviderSpec> jwtProviders;
  final Map<String, List<RouteSpec>> routesByGateway;
  final Map<String, List<ServiceAccessSpec>> accessByService;

  private PolicyIndex(PolicySet s) {
    upstreams = first(s.upstreams(), UpstreamSpec::name);
    sidecars = first(s.sidecars(), SidecarSpec::name);
    gateways = first(s.gateways(), GatewaySpec::name);
    jwtProviders = first(s.jwtProviders(), JwtProviderSpec::name);
    routesByGateway = grouped(s.routes(), RouteSpec::gateway);
    accessByService = grouped(s.serviceAccess(), ServiceAccessSpec::to);
  }

  static PolicyIndex of(PolicySet s) {
    try {
      return INDEXES.get(s, () -> new PolicyIndex(s));
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Name → the first spec of that name, as the scans found it. */
  private static <T> Map<String, T> first(List<T> specs, Function<T, String> name) {
    Map<String, T> out = new HashMap<>();
    specs.forEach(spec -> out.putIfAbsent(name.apply(spec), spec));
    return out;
  }

  /** Key → the specs with that key, in declaration order. */
  private static <T> Map<String, List<T>> grouped(List<T> specs, Function<T, String> key) {
    Map<String, List<T>> out = new HashMap<>();
    specs.forEach(spec -> out.computeIfAbsent(key.apply(spec), k -> new ArrayList<>()).add(spec));
    out.replaceAll((k, v) -> List.copyOf(v));
    return out;
  }
}
