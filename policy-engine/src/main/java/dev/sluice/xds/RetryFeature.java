package dev.sluice.xds;

import com.google.protobuf.UInt32Value;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.RouteAction;
import dev.sluice.policy.route.retry.RetrySpec;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import java.time.Duration;

/** {@code retries} → the route's Envoy retry policy. */
final class RetryFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    if (!(ir.action() instanceof RouteAction.Forward fwd) || fwd.retry().isEmpty()) {
      return;
    }
    RetrySpec r = fwd.retry().get();
    RetryPolicy.Builder p =
        RetryPolicy.newBuilder()
            .setRetryOn(String.join(",", r.on()))
            .setNumRetries(UInt32Value.of(r.attempts()));
    r.perTryTimeout().ifPresent(d -> p.setPerTryTimeout(Protos.duration(d)));
    if (r.on().contains("retriable-status-codes")) {
      p.addAllRetriableStatusCodes(r.statusCodes());
    }
    if (r.backoffBase().isPresent() || r.backoffMax().isPresent()) {
      var backoff =
          RetryPolicy.RetryBackOff.newBuilder()
              .setBaseInterval(Protos.duration(r.backoffBase().orElse(Duration.ofMillis(25))));
      r.backoffMax().ifPresent(d -> backoff.setMaxInterval(Protos.duration(d)));
      p.setRetryBackOff(backoff);
    }
    route.getRouteBuilder().setRetryPolicy(p);
  }
}
