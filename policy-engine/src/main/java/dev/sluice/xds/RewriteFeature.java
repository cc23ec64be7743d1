package dev.sluice.xds;

import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.RouteAction;
import dev.sluice.policy.route.rewrite.RewriteSpec;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;

/** {@code rewrite} → prefix_rewrite, regex_rewrite and host_rewrite_literal. */
final class RewriteFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    if (!(ir.action() instanceof RouteAction.Forward fwd) || fwd.rewrite().isEmpty()) {
      return;
    }
    RewriteSpec r = fwd.rewrite().get();
    var action = route.getRouteBuilder();
    r.prefix().ifPresent(action::setPrefixRewrite);
    r.regex()
        .ifPresent(
            pattern ->
                action.setRegexRewrite(
                    RegexMatchAndSubstitute.newBuilder()
                        .setPattern(Protos.regex(pattern))
                        .setSubstitution(r.substitution().orElse(""))));
    r.host().ifPresent(action::setHostRewriteLiteral);
  }
}
