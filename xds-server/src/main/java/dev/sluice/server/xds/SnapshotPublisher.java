package dev.sluice.server.xds;

import dev.sluice.xds.XdsResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one snapshot per proxy group into the cache. A group whose content hash did not change is
 * left alone, so nothing is resent.
 */
public final class SnapshotPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);
  private final SimpleCache<String> cache;
  private final Map<String, HashedSnapshot> current = new ConcurrentHashMap<>();

  SnapshotPublisher(SimpleCache<String> cache) {
    this.cache = cache;
  }

  /** Publishes the complete desired state: groups not in {@code groups} are emptied. */
  public synchronized void publish(Map<String, XdsResources> groups) {
    for (var e : groups.entrySet()) {
      set(e.getKey(), e.getValue());
    }
    for (String gone : new ArrayList<>(current.keySet())) {
      if (!groups.containsKey(gone)) {
        set(gone, XdsResources.EMPTY);
      }
    }
  }

  private void set(String group, XdsResources resources) {
    HashedSnapshot next = new HashedSnapshot(resources);
    HashedSnapshot prev = current.get(group);
    if (prev != null && prev.versions().equals(next.versions())) {
      return;
    }
    current.put(group, next);
    cache.setSnapshot(group, next);
    LOG.info("group {}: snapshot {}", group, next.versions());
  }

  public Map<String, Map<String, String>> versions() {
    Map<String, Map<String, String>> out = new java.util.TreeMap<>();
    current.forEach((g, s) -> out.put(g, new java.util.TreeMap<>(s.versions())));
    return out;
  }

  /** The policies behind the resources of one type (Cluster, Listener...) in a group's snapshot. */
  List<String> origins(String group, String shortType) {
    HashedSnapshot s = current.get(group);
    if (s == null) {
      return List.of();
    }
    String prefix = switch (shortType) {
      case "Cluster" -> "cluster/";
      case "ClusterLoadAssignment" -> "endpoint/";
      case "Listener" -> "listener/";
      case "RouteConfiguration" -> "route/";
      default -> "?";
    };
    return s.source().origins().entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .flatMap(e -> e.getValue().stream())
        .distinct()
        .limit(10)
        .toList();
  }
}
