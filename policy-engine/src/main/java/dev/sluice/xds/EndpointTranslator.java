package dev.sluice.xds;

import com.google.protobuf.UInt32Value;
import dev.sluice.ir.Endpoint;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.UpstreamCluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One ClusterLoadAssignment per cluster, endpoints grouped by priority, then region and zone (Envoy
 * locality), in that order.
 */
final class EndpointTranslator implements FeatureTranslator {
  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (UpstreamCluster c : ir.clusters()) {
      out.endpoints.put(c.name(), out.memo.endpoints(c, () -> assignment(c)));
    }
  }

  private record LocalityKey(int priority, String region, String zone) {
    static final Comparator<LocalityKey> ORDER =
        Comparator.comparingInt(LocalityKey::priority)
            .thenComparing(LocalityKey::region)
            .thenComparing(LocalityKey::zone);
  }

  /** A plain loop: this runs for every endpoint of every cluster on every rebuild. */
  static ClusterLoadAssignment assignment(UpstreamCluster c) {
    Map<LocalityKey, List<Endpoint>> byLocality = new TreeMap<>(LocalityKey.ORDER);
    for (Endpoint e : c.endpoints()) {
      byLocality
          .computeIfAbsent(
              new LocalityKey(e.priority(), e.region(), e.zone()), k -> new ArrayList<>())
          .add(e);
    }
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(c.name());
    byLocality.forEach(
        (locality, endpoints) -> {
          LocalityLbEndpoints.Builder lle =
              LocalityLbEndpoints.newBuilder().setPriority(locality.priority());
          if (!locality.region().isEmpty() || !locality.zone().isEmpty()) {
            lle.setLocality(
                Locality.newBuilder().setRegion(locality.region()).setZone(locality.zone()));
          }
          for (Endpoint e : endpoints) {
            lle.addLbEndpoints(
                LbEndpoint.newBuilder()
                    .setEndpoint(
                        io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                            .setAddress(
                                Address.newBuilder()
                                    .setSocketAddress(
                                        SocketAddress.newBuilder()
                                            .setAddress(e.address())
                                            .setPortValue(e.port()))))
                    .setHealthStatus(
                        e.status() == Endpoint.Status.HEALTHY
                            ? HealthStatus.HEALTHY
                            : HealthStatus.DEGRADED)
                    .setLoadBalancingWeight(UInt32Value.of(e.weight())));
          }
          cla.addEndpoints(lle);
        });
    return cla.build();
  }
}
