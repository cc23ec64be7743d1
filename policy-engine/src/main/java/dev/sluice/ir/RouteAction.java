package dev.sluice.ir;

import dev.sluice.policy.route.redirect.RedirectSpec;
import dev.sluice.policy.route.respond.DirectResponseSpec;
import dev.sluice.policy.route.retry.RetrySpec;
import dev.sluice.policy.route.rewrite.RewriteSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a route does with a matching request. The leaf settings are the policy's own value records:
 * they are plain data already, and copying them field by field into look-alike IR records would
 * only add places to forget a field.
 */
public sealed interface RouteAction {
  /** Send upstream, split by weight over clusters. */
  record Forward(
      List<WeightedCluster> clusters,
      Duration timeout,
      Optional<Duration> idleTimeout,
      Optional<RetrySpec> retry,
      Optional<RewriteSpec> rewrite,
      List<Mirror> mirrors) implements RouteAction {
    public Forward {
      clusters = List.copyOf(clusters);
      mirrors = List.copyOf(mirrors);
    }
  }

  /** Answer with a redirect. */
  record Redirect(RedirectSpec redirect) implements RouteAction {}

  /** Answer directly. */
  record Respond(DirectResponseSpec response) implements RouteAction {}

  /** Copy a share of the requests to another cluster; its answers are dropped. */
  record Mirror(String cluster, double percent) {}
}
