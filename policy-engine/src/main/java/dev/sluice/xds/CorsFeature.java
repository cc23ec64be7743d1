package dev.sluice.xds;

import dev.sluice.ir.HttpRoute;
import io.envoyproxy.envoy.config.route.v3.Route;

/** A route's own {@code cors} → its typed_per_filter_config (Envoy lets it replace the virtual host's). */
final class CorsFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    ir.cors().ifPresent(c -> route.putTypedPerFilterConfig(CorsPolicies.FILTER, CorsPolicies.policy(c)));
  }
}
