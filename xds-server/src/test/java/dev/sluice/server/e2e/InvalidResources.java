package dev.sluice.server.e2e;

import com.google.protobuf.Duration;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Resources Envoy genuinely rejects, injected through a pipeline step of the test's own
 * (TestServers).
 */
final class InvalidResources {
  private InvalidResources() {}

  /** Adds a cluster Envoy's proto validation refuses: connect_timeout must be above 0. */
  static XdsResources withInvalidCluster(XdsResources r) {
    List<Cluster> clusters = new ArrayList<>(r.clusters());
    clusters.add(
        Cluster.newBuilder()
            .setName("poison")
            .setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(Duration.newBuilder().setSeconds(-1))
            .build());
    return r.withClusters(clusters);
  }

  /**
   * Gives the named cluster, which a policy produced, a timeout Envoy refuses; other resources
   * stay.
   */
  static XdsResources withInvalidTimeoutOn(XdsResources r, String cluster) {
    List<Cluster> clusters = new ArrayList<>();
    for (Cluster c : r.clusters()) {
      clusters.add(
          c.getName().equals(cluster)
              ? c.toBuilder().setConnectTimeout(Duration.newBuilder().setSeconds(-1)).build()
              : c);
    }
    return r.withClusters(clusters);
  }

  /**
   * A header regex Envoy 1.40 refuses: its RE2 program (112) is bigger than Envoy's default limit
   * (100).
   */
  static final String REFUSED_REGEX = "[0-9a-f-]{36}";

  /**
   * Makes the named route entry, which a policy produced, match a header with {@link
   * #REFUSED_REGEX}; the rest stays.
   */
  static XdsResources withRefusedRegexOn(XdsResources r, String route) {
    List<RouteConfiguration> tables = new ArrayList<>();
    for (RouteConfiguration table : r.routes()) {
      RouteConfiguration.Builder t = table.toBuilder();
      t.getVirtualHostsBuilderList()
          .forEach(
              vh ->
                  vh.getRoutesBuilderList().stream()
                      .filter(e -> e.getName().equals(route))
                      .forEach(
                          e ->
                              e.getMatchBuilder()
                                  .addHeaders(
                                      HeaderMatcher.newBuilder()
                                          .setName("x-id")
                                          .setStringMatch(
                                              StringMatcher.newBuilder()
                                                  .setSafeRegex(
                                                      RegexMatcher.newBuilder()
                                                          .setRegex(REFUSED_REGEX))))));
      tables.add(t.build());
    }
    return new XdsResources(
        r.listeners(), tables, r.clusters(), r.endpoints(), r.secrets(), r.origins());
  }
}
