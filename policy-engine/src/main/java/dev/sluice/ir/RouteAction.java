package dev.sluice.ir;

import dev.sluice.policy.route.redirect.RedirectSpec;
import dev.sluice.policy.route.respond.DirectResponseSpec;
import dev.sluice.policy.route.retry.RetrySpec;
import dev.sluice.policy.route.rewrite.RewriteSpec;
import dev.sluice.policy.upstream.UpstreamSpec.HashOn;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a route does with a matching request. The leaf settings are the policy's own value records:
 * they are plain data already, and copying them field by field into look-alike IR records would
 * only add places to forget a field.
 *
 * <p>{@code hashPolicy} is what consistent hashing hashes: Envoy takes it from the route, though it
 * belongs to the service's load balancer, so the compiler copies it from the Upstream policy.
 */
public sealed interface RouteAction {
  /** Send upstream, split by weight over clusters. */
  record Forward(
      List<WeightedCluster> clusters,
      Duration timeout,
      Optional<Duration> idleTimeout,
      Optional<RetrySpec> retry,
      Optional<RewriteSpec> rewrite,
      List<Mirror> mirrors,
      List<HashOn> hashPolicy)
      implements RouteAction {
    public Forward {
      clusters = List.copyOf(clusters);
      mirrors = List.copyOf(mirrors);
      hashPolicy = List.copyOf(hashPolicy);
    }
  }

  /** Answer with a redirect. */
  record Redirect(RedirectSpec redirect) implements RouteAction {}

  /** Answer directly. */
  record Respond(DirectResponseSpec response) implements RouteAction {}

  /** Copy a share of the requests to another cluster; its answers are dropped. */
  record Mirror(String cluster, double percent) {}
}
