package dev.sluice.xds;

import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.UpstreamCluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import com.google.protobuf.UInt32Value;

/** One EDS cluster per upstream service. */
final class ClusterTranslator implements FeatureTranslator {
  /** Envoy's edge-proxy guidance: 32 KiB per-connection buffers. */
  static final int BUFFER_LIMIT = 32 * 1024;

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (UpstreamCluster c : ir.clusters()) {
      out.clusters.put(c.name(), Cluster.newBuilder()
          .setName(c.name())
          .setType(Cluster.DiscoveryType.EDS)
          .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Protos.ads()))
          .setConnectTimeout(Protos.duration(c.connectTimeout()))
          .setPerConnectionBufferLimitBytes(UInt32Value.of(BUFFER_LIMIT))
          .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN));
    }
  }
}
