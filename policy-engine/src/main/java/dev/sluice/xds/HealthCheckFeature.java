package dev.sluice.xds;

import com.google.protobuf.UInt32Value;
import dev.sluice.ir.UpstreamCluster;
import dev.sluice.policy.upstream.UpstreamSpec;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.type.v3.Int64Range;

/**
 * {@code healthCheck} → Envoy's active HTTP or TCP checks. Discovery health still counts: an
 * endpoint unhealthy in either is not used (EDS health status and active checks combine in Envoy).
 */
final class HealthCheckFeature implements ClusterFeature {
  @Override
  public void apply(UpstreamCluster ir, UpstreamSpec upstream, Cluster.Builder cluster) {
    upstream
        .healthCheck()
        .ifPresent(
            hc -> {
              HealthCheck.Builder b =
                  HealthCheck.newBuilder()
                      .setTimeout(Protos.duration(hc.timeout()))
                      .setInterval(Protos.duration(hc.interval()))
                      // Envoy checks a cluster that has had no traffic yet only every 60s by
                      // default; a
                      // gateway must know before the first request whether an endpoint is fit for
                      // it.
                      .setNoTrafficInterval(Protos.duration(hc.interval()))
                      .setUnhealthyThreshold(UInt32Value.of(hc.unhealthyThreshold()))
                      .setHealthyThreshold(UInt32Value.of(hc.healthyThreshold()));
              if (hc.httpPath().isPresent()) {
                HealthCheck.HttpHealthCheck.Builder http =
                    HealthCheck.HttpHealthCheck.newBuilder().setPath(hc.httpPath().get());
                hc.expectedStatuses()
                    .forEach(
                        s ->
                            http.addExpectedStatuses(
                                Int64Range.newBuilder().setStart(s).setEnd(s + 1)));
                b.setHttpHealthCheck(http);
              } else {
                b.setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance());
              }
              cluster.addHealthChecks(b);
              // Envoy keeps an endpoint that discovery removed for as long as it passes active
              // checks;
              // discovery is the authority on membership (a deregistered or critical instance must
              // go).
              cluster.setIgnoreHealthOnHostRemoval(true);
            });
  }
}
