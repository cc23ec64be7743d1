package dev.sluice.ir;

import dev.sluice.policy.Source;
import java.time.Duration;
import java.util.List;

/**
 * One route entry: match → weighted clusters.
 *
 * @param policy the policy that produced it (such as {@code Route/users}), for NACK attribution
 */
public record HttpRoute(
    String name, RouteMatch match, List<WeightedCluster> clusters, Duration timeout, String policy, Source source) {
  public HttpRoute {
    clusters = List.copyOf(clusters);
  }
}
