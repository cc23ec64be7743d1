package dev.sluice.xds;

import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.RouteAction;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction.RequestMirrorPolicy;
import io.envoyproxy.envoy.type.v3.FractionalPercent;

/** {@code mirror} → request_mirror_policies; percentages become parts per million. */
final class MirrorFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    if (!(ir.action() instanceof RouteAction.Forward fwd)) {
      return;
    }
    for (RouteAction.Mirror m : fwd.mirrors()) {
      route
          .getRouteBuilder()
          .addRequestMirrorPolicies(
              RequestMirrorPolicy.newBuilder()
                  .setCluster(m.cluster())
                  .setRuntimeFraction(
                      RuntimeFractionalPercent.newBuilder()
                          .setDefaultValue(
                              FractionalPercent.newBuilder()
                                  .setNumerator((int) Math.round(m.percent() * 10_000))
                                  .setDenominator(FractionalPercent.DenominatorType.MILLION))));
    }
  }
}
