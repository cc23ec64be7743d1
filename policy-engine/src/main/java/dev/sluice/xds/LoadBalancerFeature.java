package dev.sluice.xds;

import dev.sluice.ir.UpstreamCluster;
import dev.sluice.policy.upstream.UpstreamSpec;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;

/**
 * {@code loadBalancer.algorithm} → lb_policy (the hash inputs go on the route: {@link
 * HashPolicyFeature}).
 */
final class LoadBalancerFeature implements ClusterFeature {
  @Override
  public void apply(UpstreamCluster ir, UpstreamSpec upstream, Cluster.Builder cluster) {
    cluster.setLbPolicy(
        switch (upstream.loadBalancer().algorithm()) {
          case ROUND_ROBIN -> Cluster.LbPolicy.ROUND_ROBIN;
          case LEAST_REQUEST -> Cluster.LbPolicy.LEAST_REQUEST;
          case RANDOM -> Cluster.LbPolicy.RANDOM;
          case RING_HASH -> Cluster.LbPolicy.RING_HASH;
          case MAGLEV -> Cluster.LbPolicy.MAGLEV;
        });
  }
}
