package dev.sluice.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints, per catalog size, how many resources' versions a one-endpoint change gives another
 * version, per xDS type: what the server would resend. Not timed: the counts are exact.
 *
 * <p>Output: one Markdown table row per size, {@code | services | Listener | RouteConfiguration |
 * Cluster | ClusterLoadAssignment | Secret | resources |}.
 */
public final class OneEndpointChurn {
  private OneEndpointChurn() {}

  public static void main(String[] args) {
    List<Integer> sizes =
        args.length == 0
            ? List.of(100, 1000, 5000)
            : Arrays.stream(args).map(Integer::valueOf).toList();
    for (int services : sizes) {
      Map<String, Integer> changed = changed(SyntheticConfig.of(services));
      StringBuilder row = new StringBuilder("| " + String.format("%,d", services) + " |");
      changed.forEach((type, n) -> row.append(' ').append(n).append(" |"));
      System.out.println(row);
    }
  }

  /**
   * Per type, the resources of the edge group whose version a one-endpoint change alters; the last
   * entry is every resource.
   */
  static Map<String, Integer> changed(SyntheticConfig config) {
    ServerRebuild server = new ServerRebuild();
    ResourceVersions before = server.rebuild(config).get("edge");
    ResourceVersions after = server.rebuild(config.withOneEndpointMoved()).get("edge");
    Map<String, Integer> out = new LinkedHashMap<>(after.changedSince(before));
    out.put("resources", after.resources());
    return out;
  }
}
