package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks that a snapshot refers only to what it contains: every RDS name a listener uses has a
 * route table, every SDS secret a listener's or cluster's TLS context names is there, every EDS
 * cluster has endpoints, every cluster a route names exists.
 *
 * <p>Ours, not java-control-plane's {@code Snapshot.ensureConsistent()}: that one looks for the
 * legacy filter name {@code envoy.http_connection_manager} and so finds no RDS references with the
 * modern name.
 */
public final class ConsistencyCheck {
  private static final String DOWNSTREAM_TLS =
      "/" + DownstreamTlsContext.getDescriptor().getFullName();
  private static final String UPSTREAM_TLS = "/" + UpstreamTlsContext.getDescriptor().getFullName();
  private static final String HCM = "/" + HttpConnectionManager.getDescriptor().getFullName();

  private ConsistencyCheck() {}

  /**
   * {@code Any.is} by its type URL's last segment, as {@code Any.is} compares it, without the
   * reflective lookup of the class's default instance that {@code Any.is} makes on every call (once
   * per cluster here, which showed in profiles).
   *
   * @param type {@code "/"} and the message type's full name
   */
  private static boolean is(Any any, String type) {
    return any.getTypeUrl().endsWith(type);
  }

  /** Returns every problem found; empty means consistent. */
  public static List<String> problems(XdsResources r) {
    return problems(r, Set.of());
  }

  /**
   * As {@link #problems(XdsResources)}, with secrets that are known to be added later (a sidecar
   * group's mesh certificate and trust bundle come from the server's CA, not the translator). Only
   * for checking the translator's output on its own; the server checks the merged snapshot with
   * {@link #problems(XdsResources)}.
   */
  public static List<String> problems(XdsResources r, Set<String> suppliedSecrets) {
    List<String> problems = new ArrayList<>();
    Set<String> routeNames =
        r.routes().stream().map(RouteConfiguration::getName).collect(Collectors.toSet());
    Set<String> clusterNames =
        r.clusters().stream().map(Cluster::getName).collect(Collectors.toSet());
    Set<String> claNames =
        r.endpoints().stream()
            .map(ClusterLoadAssignment::getClusterName)
            .collect(Collectors.toSet());
    Set<String> secretNames =
        r.secrets().stream().map(Secret::getName).collect(Collectors.toCollection(HashSet::new));
    secretNames.addAll(suppliedSecrets);
    for (Listener l : r.listeners()) {
      for (FilterChain fc : l.getFilterChainsList()) {
        if (is(fc.getTransportSocket().getTypedConfig(), DOWNSTREAM_TLS)) {
          try {
            CommonTlsContext tls =
                fc.getTransportSocket()
                    .getTypedConfig()
                    .unpack(DownstreamTlsContext.class)
                    .getCommonTlsContext();
            for (SdsSecretConfig ref : sdsRefs(tls)) {
              if (!secretNames.contains(ref.getName())) {
                problems.add(
                    "listener "
                        + l.getName()
                        + " uses secret "
                        + ref.getName()
                        + " which is not in the snapshot");
              }
            }
          } catch (InvalidProtocolBufferException e) {
            problems.add("listener " + l.getName() + " has an unreadable TLS context");
          }
        }
        for (Filter f : fc.getFiltersList()) {
          if (!is(f.getTypedConfig(), HCM)) {
            continue;
          }
          try {
            HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
            if (hcm.hasRds() && !routeNames.contains(hcm.getRds().getRouteConfigName())) {
              problems.add(
                  "listener "
                      + l.getName()
                      + " uses route table "
                      + hcm.getRds().getRouteConfigName()
                      + " which is not in the snapshot");
            }
          } catch (InvalidProtocolBufferException e) {
            problems.add("listener " + l.getName() + " has an unreadable HTTP connection manager");
          }
        }
      }
    }
    for (Cluster c : r.clusters()) {
      if (is(c.getTransportSocket().getTypedConfig(), UPSTREAM_TLS)) {
        try {
          CommonTlsContext tls =
              c.getTransportSocket()
                  .getTypedConfig()
                  .unpack(UpstreamTlsContext.class)
                  .getCommonTlsContext();
          for (SdsSecretConfig ref : sdsRefs(tls)) {
            if (!secretNames.contains(ref.getName())) {
              problems.add(
                  "cluster "
                      + c.getName()
                      + " uses secret "
                      + ref.getName()
                      + " which is not in the snapshot");
            }
          }
        } catch (InvalidProtocolBufferException e) {
          problems.add("cluster " + c.getName() + " has an unreadable TLS context");
        }
      }
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        String name =
            c.getEdsClusterConfig().getServiceName().isEmpty()
                ? c.getName()
                : c.getEdsClusterConfig().getServiceName();
        if (!claNames.contains(name)) {
          problems.add("EDS cluster " + c.getName() + " has no endpoints resource " + name);
        }
      }
    }
    for (RouteConfiguration rc : r.routes()) {
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        for (Route route : vh.getRoutesList()) {
          List<String> targets = new ArrayList<>();
          if (route.getRoute().hasWeightedClusters()) {
            route
                .getRoute()
                .getWeightedClusters()
                .getClustersList()
                .forEach(w -> targets.add(w.getName()));
          } else if (!route.getRoute().getCluster().isEmpty()) {
            targets.add(route.getRoute().getCluster());
          }
          route.getRoute().getRequestMirrorPoliciesList().forEach(m -> targets.add(m.getCluster()));
          for (String t : targets) {
            if (!clusterNames.contains(t)) {
              problems.add(
                  "route "
                      + rc.getName()
                      + "/"
                      + vh.getName()
                      + "/"
                      + route.getName()
                      + " sends to cluster "
                      + t
                      + " which is not in the snapshot");
            }
          }
        }
      }
    }
    return problems;
  }

  /**
   * The SDS secrets a TLS context names: certificates and the validation context, plain or
   * combined.
   */
  private static List<SdsSecretConfig> sdsRefs(CommonTlsContext tls) {
    List<SdsSecretConfig> refs = new ArrayList<>(tls.getTlsCertificateSdsSecretConfigsList());
    if (tls.hasValidationContextSdsSecretConfig()) {
      refs.add(tls.getValidationContextSdsSecretConfig());
    }
    if (tls.hasCombinedValidationContext()
        && tls.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
      refs.add(tls.getCombinedValidationContext().getValidationContextSdsSecretConfig());
    }
    return refs;
  }
}
