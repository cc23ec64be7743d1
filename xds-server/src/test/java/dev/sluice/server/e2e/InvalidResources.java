package dev.sluice.server.e2e;

import com.google.protobuf.Duration;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.ArrayList;
import java.util.List;

/** Resources Envoy genuinely rejects, injected through the server's test-only resource hook. */
final class InvalidResources {
  private InvalidResources() {}

  /** Adds a cluster Envoy's proto validation refuses: connect_timeout must be above 0. */
  static XdsResources withInvalidCluster(XdsResources r) {
    List<Cluster> clusters = new ArrayList<>(r.clusters());
    clusters.add(Cluster.newBuilder()
        .setName("poison")
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Duration.newBuilder().setSeconds(-1))
        .build());
    return r.withClusters(clusters);
  }

  /** Gives the named cluster, which a policy produced, a timeout Envoy refuses; other resources stay. */
  static XdsResources withInvalidTimeoutOn(XdsResources r, String cluster) {
    List<Cluster> clusters = new ArrayList<>();
    for (Cluster c : r.clusters()) {
      clusters.add(c.getName().equals(cluster) ? c.toBuilder().setConnectTimeout(Duration.newBuilder().setSeconds(-1)).build() : c);
    }
    return r.withClusters(clusters);
  }
}
