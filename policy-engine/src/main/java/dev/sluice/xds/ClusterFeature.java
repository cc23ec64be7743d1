package dev.sluice.xds;

import dev.sluice.ir.UpstreamCluster;
import dev.sluice.policy.upstream.UpstreamSpec;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;

/**
 * One part of an Upstream policy on a cluster (protocol, load balancer, circuit breaker, outlier
 * detection, health check), each in its own file, run in the order of {@link
 * ClusterTranslator#FEATURES}. Called only for clusters whose service has an Upstream policy.
 */
interface ClusterFeature {
  void apply(UpstreamCluster ir, UpstreamSpec upstream, Cluster.Builder cluster);
}
