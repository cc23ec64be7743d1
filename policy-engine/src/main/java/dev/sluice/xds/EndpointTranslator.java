package dev.sluice.xds;

import dev.sluice.ir.Endpoint;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.UpstreamCluster;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One ClusterLoadAssignment per cluster, endpoints grouped by priority, then region and zone
 * (Envoy locality). Priorities are single digits (0 or 1), so sorting their text sorts them.
 */
final class EndpointTranslator implements FeatureTranslator {
  private static final java.util.Comparator<List<String>> LOCALITY_ORDER =
      java.util.Comparator.<List<String>, String>comparing(l -> l.get(0)).thenComparing(l -> l.get(1)).thenComparing(l -> l.get(2));

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (UpstreamCluster c : ir.clusters()) {
      ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(c.name());
      Map<List<String>, List<Endpoint>> byLocality = c.endpoints().stream()
          .collect(Collectors.groupingBy(e -> List.of(String.valueOf(e.priority()), e.region(), e.zone()), () -> new TreeMap<>(LOCALITY_ORDER),
              Collectors.toList()));
      byLocality.forEach((locality, endpoints) -> {
        LocalityLbEndpoints.Builder lle = LocalityLbEndpoints.newBuilder().setPriority(Integer.parseInt(locality.get(0)));
        if (!locality.get(1).isEmpty() || !locality.get(2).isEmpty()) {
          lle.setLocality(Locality.newBuilder().setRegion(locality.get(1)).setZone(locality.get(2)));
        }
        for (Endpoint e : endpoints) {
          lle.addLbEndpoints(LbEndpoint.newBuilder()
              .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                  .setAddress(Address.newBuilder().setSocketAddress(
                      SocketAddress.newBuilder().setAddress(e.address()).setPortValue(e.port()))))
              .setHealthStatus(e.status() == Endpoint.Status.HEALTHY ? HealthStatus.HEALTHY : HealthStatus.DEGRADED)
              .setLoadBalancingWeight(UInt32Value.of(e.weight())));
        }
        cla.addEndpoints(lle);
      });
      out.endpoints.put(c.name(), cla);
    }
  }
}
