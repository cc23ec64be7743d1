package dev.sluice.xds;

import com.google.protobuf.UInt32Value;
import dev.sluice.ir.UpstreamCluster;
import dev.sluice.policy.upstream.UpstreamSpec;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;

/** {@code outlierDetection} → passive ejection of endpoints that keep answering 5xx. */
final class OutlierDetectionFeature implements ClusterFeature {
  @Override
  public void apply(UpstreamCluster ir, UpstreamSpec upstream, Cluster.Builder cluster) {
    upstream
        .outlierDetection()
        .ifPresent(
            od ->
                cluster.setOutlierDetection(
                    OutlierDetection.newBuilder()
                        .setConsecutive5Xx(UInt32Value.of(od.consecutive5xx()))
                        .setInterval(Protos.duration(od.interval()))
                        .setBaseEjectionTime(Protos.duration(od.baseEjectionTime()))
                        .setMaxEjectionPercent(UInt32Value.of(od.maxEjectionPercent()))));
  }
}
