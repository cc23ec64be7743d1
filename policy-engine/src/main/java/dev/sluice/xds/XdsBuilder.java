package dev.sluice.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** The resources being built for one proxy group; only the translator package sees it. */
final class XdsBuilder {
  final Map<String, Listener.Builder> listeners = new LinkedHashMap<>();
  final Map<String, RouteConfiguration.Builder> routes = new LinkedHashMap<>();
  final Map<String, Cluster.Builder> clusters = new LinkedHashMap<>();
  /** Built at once: nothing amends an endpoint assignment after {@link EndpointTranslator}. */
  final Map<String, ClusterLoadAssignment> endpoints = new LinkedHashMap<>();
  final Map<String, Secret.Builder> secrets = new LinkedHashMap<>();
  private final Map<String, LinkedHashSet<String>> origins = new LinkedHashMap<>();

  void origin(String key, String policy) {
    origins.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(policy);
  }

  XdsResources build() {
    Map<String, List<String>> o = new LinkedHashMap<>();
    origins.forEach((k, v) -> o.put(k, List.copyOf(v)));
    return new XdsResources(
        built(listeners.values().stream().map(Listener.Builder::build).toList()),
        built(routes.values().stream().map(RouteConfiguration.Builder::build).toList()),
        built(clusters.values().stream().map(Cluster.Builder::build).toList()),
        new ArrayList<>(endpoints.values()),
        built(secrets.values().stream().map(Secret.Builder::build).toList()),
        o);
  }

  private static <T> List<T> built(List<T> list) {
    return new ArrayList<>(list);
  }
}
