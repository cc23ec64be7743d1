package dev.sluice.bench;

import com.google.protobuf.Message;
import dev.sluice.xds.ContentHash;
import dev.sluice.xds.XdsResources;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The versions the server gives one group's resources: per xDS type, resource name → content hash
 * ({@link ContentHash#of}), and the type's version over those ({@link ContentHash#ofVersions}), as
 * xds-server's HashedSnapshot computes them.
 */
public record ResourceVersions(
    Map<String, SortedMap<String, String>> byType, Map<String, String> typeVersions) {
  public static final List<String> TYPES =
      List.of("Listener", "RouteConfiguration", "Cluster", "ClusterLoadAssignment", "Secret");

  public static ResourceVersions of(XdsResources r) {
    Map<String, SortedMap<String, String>> byType = new LinkedHashMap<>();
    byType.put("Listener", hashed(r.listeners(), l -> l.getName()));
    byType.put("RouteConfiguration", hashed(r.routes(), rc -> rc.getName()));
    byType.put("Cluster", hashed(r.clusters(), c -> c.getName()));
    byType.put("ClusterLoadAssignment", hashed(r.endpoints(), cla -> cla.getClusterName()));
    byType.put("Secret", hashed(r.secrets(), s -> s.getName()));
    Map<String, String> typeVersions = new LinkedHashMap<>();
    byType.forEach((type, versions) -> typeVersions.put(type, ContentHash.ofVersions(versions)));
    return new ResourceVersions(byType, typeVersions);
  }

  private static <T extends Message> SortedMap<String, String> hashed(
      List<T> resources, Function<T, String> name) {
    SortedMap<String, String> out = new TreeMap<>();
    for (T r : resources) {
      out.put(name.apply(r), ContentHash.of(r));
    }
    return out;
  }

  /**
   * Per type, how many resources were added, removed or got another version since {@code before}.
   */
  public Map<String, Integer> changedSince(ResourceVersions before) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String type : TYPES) {
      SortedMap<String, String> now = byType.get(type);
      SortedMap<String, String> then = before.byType.get(type);
      int changed = 0;
      for (var e : now.entrySet()) {
        if (!e.getValue().equals(then.get(e.getKey()))) {
          changed++;
        }
      }
      for (String name : then.keySet()) {
        if (!now.containsKey(name)) {
          changed++;
        }
      }
      out.put(type, changed);
    }
    return out;
  }

  public int resources() {
    return byType.values().stream().mapToInt(Map::size).sum();
  }
}
