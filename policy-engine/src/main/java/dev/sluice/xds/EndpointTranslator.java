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

/** One ClusterLoadAssignment per cluster, endpoints grouped by zone (Envoy locality). */
final class EndpointTranslator implements FeatureTranslator {
  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (UpstreamCluster c : ir.clusters()) {
      ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(c.name());
      Map<String, List<Endpoint>> byZone = c.endpoints().stream()
          .collect(Collectors.groupingBy(Endpoint::zone, TreeMap::new, Collectors.toList()));
      byZone.forEach((zone, endpoints) -> {
        LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
        if (!zone.isEmpty()) {
          locality.setLocality(Locality.newBuilder().setZone(zone));
        }
        for (Endpoint e : endpoints) {
          locality.addLbEndpoints(LbEndpoint.newBuilder()
              .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                  .setAddress(Address.newBuilder().setSocketAddress(
                      SocketAddress.newBuilder().setAddress(e.address()).setPortValue(e.port()))))
              .setHealthStatus(HealthStatus.HEALTHY)
              .setLoadBalancingWeight(UInt32Value.of(e.weight())));
        }
        cla.addEndpoints(locality);
      });
      out.endpoints.put(c.name(), cla);
    }
  }
}
