package dev.sluice.xds;

import com.google.protobuf.UInt32Value;
import dev.sluice.ir.UpstreamCluster;
import dev.sluice.policy.upstream.UpstreamSpec;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;

/**
 * {@code circuitBreaker} → the cluster's default-priority thresholds; unset limits keep Envoy's
 * 1024 (3 retries).
 */
final class CircuitBreakerFeature implements ClusterFeature {
  @Override
  public void apply(UpstreamCluster ir, UpstreamSpec upstream, Cluster.Builder cluster) {
    upstream
        .circuitBreaker()
        .ifPresent(
            cb -> {
              CircuitBreakers.Thresholds.Builder t =
                  CircuitBreakers.Thresholds.newBuilder().setPriority(RoutingPriority.DEFAULT);
              cb.maxConnections().ifPresent(v -> t.setMaxConnections(UInt32Value.of(v)));
              cb.maxPendingRequests().ifPresent(v -> t.setMaxPendingRequests(UInt32Value.of(v)));
              cb.maxRequests().ifPresent(v -> t.setMaxRequests(UInt32Value.of(v)));
              cb.maxRetries().ifPresent(v -> t.setMaxRetries(UInt32Value.of(v)));
              cluster.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(t));
            });
  }
}
