package dev.sluice.server.xds;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;

/** Whether a proxy has answered, or accepted, what a snapshot holds for it. */
final class Acks {
  private Acks() {}

  /** Every type of the snapshot accepted (ACKed, not NACKed) by the proxy. */
  static boolean acceptedAll(ProxyRegistry.ProxyState p, HashedSnapshot s) {
    return type(p, "Cluster", ResourceType.CLUSTER, s, List.of(), false)
        && type(p, "ClusterLoadAssignment", ResourceType.ENDPOINT, s, claNames(s), false)
        && type(p, "Listener", ResourceType.LISTENER, s, List.of(), false)
        && type(p, "RouteConfiguration", ResourceType.ROUTE, s, routeNames(s), false)
        && type(p, "Secret", ResourceType.SECRET, s, secretNames(s), false);
  }

  static List<String> claNames(HashedSnapshot s) {
    return s.endpoints().resources().values().stream().map(ClusterLoadAssignment::getClusterName).toList();
  }

  static List<String> routeNames(HashedSnapshot s) {
    return s.routes().resources().values().stream().map(RouteConfiguration::getName).toList();
  }

  static List<String> secretNames(HashedSnapshot s) {
    return s.secrets().resources().values().stream().map(Secret::getName).toList();
  }

  /**
   * Whether the proxy's last answer for one type is about this snapshot's version of what it asked
   * for; {@code mustAsk} are names it has to have asked for (a proxy that has not yet asked for a
   * new route table has not got it). With {@code nackCounts}, a NACK is an answer too.
   */
  static boolean type(ProxyRegistry.ProxyState p, String type, ResourceType rt, HashedSnapshot s, List<String> mustAsk,
      boolean nackCounts) {
    ProxyRegistry.TypeState t = p.types.get(type);
    if (t == null) {
      return mustAsk.isEmpty();
    }
    if (!t.delta && !t.requestedNames.containsAll(mustAsk)) {
      return false;
    }
    String version = t.delta ? s.version(rt, List.of()) : s.version(rt, t.requestedNames);
    return version.equals(t.ackedVersion) || (nackCounts && version.equals(t.rejectedVersion));
  }
}
