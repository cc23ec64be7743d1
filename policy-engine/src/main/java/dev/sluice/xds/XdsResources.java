package dev.sluice.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Envoy resources of one proxy group, each list sorted by name.
 *
 * @param secrets TLS certificates and keys (SDS), inline: they hold private keys, so they are never
 *     logged or printed unredacted (see {@link XdsYaml})
 * @param origins resource key ({@code type/name}, e.g. {@code cluster/users}) → the policies that
 *     produced it, so a NACK can be reported against a file; a route table's entries have keys of
 *     their own ({@link RejectedRoutes#key}), so a NACK that names one blames only its policy
 */
public record XdsResources(
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    List<Secret> secrets,
    Map<String, List<String>> origins) {

  public static final XdsResources EMPTY =
      new XdsResources(List.of(), List.of(), List.of(), List.of(), List.of(), Map.of());

  public XdsResources {
    listeners = listeners.stream().sorted(Comparator.comparing(Listener::getName)).toList();
    routes = routes.stream().sorted(Comparator.comparing(RouteConfiguration::getName)).toList();
    clusters = clusters.stream().sorted(Comparator.comparing(Cluster::getName)).toList();
    endpoints =
        endpoints.stream()
            .sorted(Comparator.comparing(ClusterLoadAssignment::getClusterName))
            .toList();
    secrets = secrets.stream().sorted(Comparator.comparing(Secret::getName)).toList();
    origins = Collections.unmodifiableMap(new TreeMap<>(origins));
  }

  public XdsResources withClusters(List<Cluster> newClusters) {
    return new XdsResources(listeners, routes, newClusters, endpoints, secrets, origins);
  }

  public XdsResources withListeners(List<Listener> newListeners) {
    return new XdsResources(newListeners, routes, clusters, endpoints, secrets, origins);
  }
}
