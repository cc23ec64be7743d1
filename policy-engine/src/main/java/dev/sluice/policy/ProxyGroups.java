package dev.sluice.policy;

import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.sidecar.SidecarSpec;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Which proxy groups a set's documents reach, for the kinds' {@link PolicyKind#groups}: gateways
 * are groups by their name, a service's sidecars the group {@code sidecar~<service>}.
 */
public final class ProxyGroups {
  private ProxyGroups() {}

  /** The gateways with a route that matches {@code route}. */
  public static Set<String> gatewaysWith(PolicySet set, Predicate<RouteSpec> route) {
    Set<String> out = new TreeSet<>();
    set.routes().stream().filter(route).forEach(r -> out.add(r.gateway()));
    return out;
  }

  /** The gateways that send requests to the service: routes, mirrors, external authorization. */
  public static Set<String> gatewaysCalling(PolicySet set, String service) {
    return gatewaysWith(
        set,
        r ->
            r.backends().stream().anyMatch(b -> b.service().equals(service))
                || r.options().forwarding().mirrors().stream()
                    .anyMatch(m -> m.service().equals(service))
                || set.effectiveAuth(r)
                    .flatMap(AuthSpec::external)
                    .map(e -> e.service().equals(service))
                    .orElse(false));
  }

  /** The sidecar groups of the services whose Sidecar lists the service as an upstream. */
  public static Set<String> sidecarsCalling(PolicySet set, String service) {
    Set<String> out = new TreeSet<>();
    set.sidecars().stream()
        .filter(s -> s.upstreams().stream().anyMatch(u -> u.service().equals(service)))
        .forEach(s -> out.add(SidecarSpec.group(s.name())));
    return out;
  }

  /** Every proxy group that calls the service, gateways and sidecars. */
  public static Set<String> calling(PolicySet set, String service) {
    Set<String> out = new TreeSet<>(gatewaysCalling(set, service));
    out.addAll(sidecarsCalling(set, service));
    return out;
  }
}
