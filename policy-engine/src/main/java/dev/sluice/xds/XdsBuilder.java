package dev.sluice.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** The resources being built for one proxy group; only the translator package sees it. */
final class XdsBuilder {
  final Map<String, Listener.Builder> listeners = new LinkedHashMap<>();
  final Map<String, RouteConfiguration.Builder> routes = new LinkedHashMap<>();

  /** Built at once; {@link #amendCluster} reopens one for a later feature. */
  private final Map<String, Cluster> clusters = new LinkedHashMap<>();

  private final Map<String, Cluster.Builder> amended = new HashMap<>();

  /** Built at once: nothing amends an endpoint assignment after {@link EndpointTranslator}. */
  final Map<String, ClusterLoadAssignment> endpoints = new LinkedHashMap<>();

  final Map<String, Secret.Builder> secrets = new LinkedHashMap<>();
  private final Map<String, LinkedHashSet<String>> origins = new LinkedHashMap<>();

  /** What the group's previous translation made, to reuse what did not change. */
  final TranslationMemo memo;

  XdsBuilder(TranslationMemo memo) {
    this.memo = memo;
  }

  void cluster(Cluster cluster) {
    clusters.put(cluster.getName(), cluster);
    amended.remove(cluster.getName());
  }

  /**
   * The cluster of that name, to change: the built one is replaced by what this builder holds at
   * the end.
   */
  Cluster.Builder amendCluster(String name) {
    return amended.computeIfAbsent(name, n -> clusters.get(n).toBuilder());
  }

  void origin(String key, String policy) {
    origins.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(policy);
  }

  XdsResources build() {
    Map<String, List<String>> o = new LinkedHashMap<>();
    origins.forEach((k, v) -> o.put(k, List.copyOf(v)));
    return new XdsResources(
        built(listeners.values().stream().map(Listener.Builder::build).toList()),
        built(routes.values().stream().map(RouteConfiguration.Builder::build).toList()),
        built(
            clusters.values().stream()
                .map(c -> amended.containsKey(c.getName()) ? amended.get(c.getName()).build() : c)
                .toList()),
        new ArrayList<>(endpoints.values()),
        built(secrets.values().stream().map(Secret.Builder::build).toList()),
        o);
  }

  private static <T> List<T> built(List<T> list) {
    return new ArrayList<>(list);
  }
}
