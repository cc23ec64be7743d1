package dev.sluice.xds;

import com.google.protobuf.UInt32Value;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.UpstreamCluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;

/** One EDS cluster per upstream service or subset, with its Upstream policy applied. */
final class ClusterTranslator implements FeatureTranslator {
  /** Envoy's edge-proxy guidance: 32 KiB per-connection buffers. */
  static final int BUFFER_LIMIT = 32 * 1024;

  static final List<ClusterFeature> FEATURES =
      List.of(
          new ProtocolFeature(),
          new LoadBalancerFeature(),
          new CircuitBreakerFeature(),
          new OutlierDetectionFeature(),
          new HealthCheckFeature());

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (UpstreamCluster c : ir.clusters()) {
      out.cluster(out.memo.cluster(c, () -> cluster(c)));
    }
  }

  private static Cluster cluster(UpstreamCluster c) {
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(c.name())
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Protos.ads()))
            .setConnectTimeout(Protos.duration(c.connectTimeout()))
            .setPerConnectionBufferLimitBytes(UInt32Value.of(BUFFER_LIMIT))
            .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
    c.upstream().ifPresent(u -> FEATURES.forEach(f -> f.apply(c, u, cluster)));
    return cluster.build();
  }
}
