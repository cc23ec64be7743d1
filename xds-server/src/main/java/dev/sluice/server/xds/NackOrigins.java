package dev.sluice.server.xds;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Which policies produced the resources a proxy rejected. */
final class NackOrigins {
  private NackOrigins() {}

  /**
   * The policies behind the rejected resources of one type (Cluster, Listener...) in a group's
   * snapshot: those whose resource Envoy's error names, else those of every resource of the type.
   */
  static List<String> of(HashedSnapshot s, String shortType, String error) {
    if (s == null) {
      return List.of();
    }
    String prefix = switch (shortType) {
      case "Cluster" -> "cluster/";
      case "ClusterLoadAssignment" -> "endpoint/";
      case "Listener" -> "listener/";
      case "RouteConfiguration" -> "route/";
      case "Secret" -> "secret/";
      default -> "?";
    };
    List<Map.Entry<String, List<String>>> ofType = s.source().origins().entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .toList();
    List<Map.Entry<String, List<String>>> named = ofType.stream()
        .filter(e -> mentions(error, e.getKey().substring(prefix.length())))
        .toList();
    return new ArrayList<>((named.isEmpty() ? ofType : named).stream()
        .flatMap(e -> e.getValue().stream())
        .distinct()
        .limit(10)
        .toList());
  }

  /** Whether Envoy's error text names the resource (as a whole word: "users", not "users-v2"). */
  private static boolean mentions(String error, String name) {
    return error != null && Pattern.compile("(^|[^A-Za-z0-9_.~-])" + Pattern.quote(name)
        + "($|[^A-Za-z0-9_.~-])").matcher(error).find();
  }
}
