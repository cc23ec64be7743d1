package dev.sluice.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Orders a change so that no route ever points at a cluster Envoy does not have: new clusters and
 * their endpoints go out (with the old routes) before the routes that use them, and clusters that
 * are no longer used go only after the new routes are in place. Each stage is a complete,
 * consistent set of resources; the publisher waits for the proxies to accept one before sending the
 * next.
 */
public final class MakeBeforeBreak {
  private MakeBeforeBreak() {}

  /** Which resource types the proxies must have accepted before the next stage is sent. */
  public enum Await {
    CLUSTERS_AND_ENDPOINTS,
    LISTENERS_AND_ROUTES,
    NOTHING
  }

  public record Stage(XdsResources resources, Await await) {}

  /**
   * The stages from {@code prev} (null before the first publish) to {@code next}; the last is
   * {@code next}.
   */
  public static List<Stage> stages(XdsResources prev, XdsResources next) {
    if (prev == null || sameNames(prev.clusters(), next.clusters())) {
      // no cluster added or removed (most changes): nothing to order
      return List.of(new Stage(next, Await.NOTHING));
    }
    Set<String> prevClusters = names(prev.clusters(), Cluster::getName).keySet();
    Set<String> nextClusters = names(next.clusters(), Cluster::getName).keySet();
    boolean adds = !prevClusters.containsAll(nextClusters);
    boolean removes = !nextClusters.containsAll(prevClusters);
    List<Cluster> clusters = union(next.clusters(), prev.clusters(), Cluster::getName);
    List<ClusterLoadAssignment> endpoints =
        union(next.endpoints(), prev.endpoints(), ClusterLoadAssignment::getClusterName);
    // Secrets: the new versions from the first stage on (a rotated certificate needs no ordering),
    // and the old ones kept while a listener of an intermediate stage may still name them.
    // Envoy itself keeps a listener warming until the secrets it names have arrived, so a secret
    // and its listener may travel together.
    List<Secret> secrets = union(next.secrets(), prev.secrets(), Secret::getName);
    List<Stage> stages = new ArrayList<>();
    if (adds) {
      stages.add(
          new Stage(
              new XdsResources(
                  prev.listeners(), prev.routes(), clusters, endpoints, secrets, next.origins()),
              Await.CLUSTERS_AND_ENDPOINTS));
    }
    if (removes) {
      stages.add(
          new Stage(
              new XdsResources(
                  next.listeners(), next.routes(), clusters, endpoints, secrets, next.origins()),
              Await.LISTENERS_AND_ROUTES));
    }
    stages.add(new Stage(next, Await.NOTHING));
    return stages;
  }

  /** Both lists are sorted by name (XdsResources sorts them): equal names pair up in order. */
  // identity first: kept clusters are the same objects
  @SuppressWarnings("ReferenceEquality")
  private static boolean sameNames(List<Cluster> a, List<Cluster> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i) && !a.get(i).getName().equals(b.get(i).getName())) {
        return false;
      }
    }
    return true;
  }

  private static <T> Map<String, T> names(List<T> list, Function<T, String> name) {
    Map<String, T> out = new LinkedHashMap<>();
    list.forEach(t -> out.put(name.apply(t), t));
    return out;
  }

  /** Everything in {@code preferred}, plus what only {@code other} has. */
  private static <T> List<T> union(List<T> preferred, List<T> other, Function<T, String> name) {
    Map<String, T> out = names(preferred, name);
    other.forEach(t -> out.putIfAbsent(name.apply(t), t));
    return new ArrayList<>(out.values());
  }
}
