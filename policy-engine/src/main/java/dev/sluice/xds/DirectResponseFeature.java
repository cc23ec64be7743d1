package dev.sluice.xds;

import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.RouteAction;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;

/** {@code respond} → a direct response: Envoy answers without an upstream. */
final class DirectResponseFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    if (!(ir.action() instanceof RouteAction.Respond respond)) {
      return;
    }
    DirectResponseAction.Builder b =
        DirectResponseAction.newBuilder().setStatus(respond.response().status());
    if (!respond.response().body().isEmpty()) {
      b.setBody(DataSource.newBuilder().setInlineString(respond.response().body()));
    }
    route.setDirectResponse(b);
  }
}
