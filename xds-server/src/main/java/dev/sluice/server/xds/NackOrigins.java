package dev.sluice.server.xds;

import dev.sluice.xds.RejectedRoutes;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Which policies produced what a proxy rejected. */
final class NackOrigins {
  /** At most this many policies are named for one NACK. */
  static final int MAX_POLICIES = 10;

  private NackOrigins() {}

  /**
   * The policies behind a NACK.
   *
   * @param oneOf true when Envoy's error could not be narrowed further: one of them is behind it
   */
  record Blame(List<String> policies, boolean oneOf) {
    static final Blame NONE = new Blame(List.of(), false);
  }

  /**
   * The policies behind the rejected resources of one type (Cluster, Listener...) in a group's
   * snapshot: those of the route entries Envoy's error names (by route, virtual host or regex),
   * else those of the resources it names, else those of every resource of the type.
   */
  static Blame of(HashedSnapshot s, String shortType, String error) {
    if (s == null) {
      return Blame.NONE;
    }
    Map<String, List<String>> origins = s.source().origins();
    if (shortType.equals("RouteConfiguration")) {
      List<String> entries = policies(origins, RejectedRoutes.named(s.source(), error));
      if (!entries.isEmpty()) {
        return new Blame(entries, false); // each named entry is at fault
      }
    }
    String prefix =
        switch (shortType) {
          case "Cluster" -> "cluster/";
          case "ClusterLoadAssignment" -> "endpoint/";
          case "Listener" -> "listener/";
          case "RouteConfiguration" -> "route/";
          case "Secret" -> "secret/";
          default -> "?";
        };
    List<String> ofType =
        origins.keySet().stream().filter(k -> k.startsWith(prefix) && !k.contains("#")).toList();
    List<String> named =
        ofType.stream()
            .filter(
                k -> error != null && RejectedRoutes.mentions(error, k.substring(prefix.length())))
            .toList();
    List<String> policies = policies(origins, named.isEmpty() ? ofType : named);
    return new Blame(policies, policies.size() > 1);
  }

  private static List<String> policies(Map<String, List<String>> origins, List<String> keys) {
    return keys.stream()
        .map(origins::get)
        .filter(Objects::nonNull)
        .flatMap(List::stream)
        .distinct()
        .limit(MAX_POLICIES)
        .toList();
  }
}
