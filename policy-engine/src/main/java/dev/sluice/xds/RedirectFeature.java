package dev.sluice.xds;

import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.RouteAction;
import dev.sluice.policy.route.redirect.RedirectSpec;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;

/** {@code redirect} → the route's redirect action. */
final class RedirectFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    if (!(ir.action() instanceof RouteAction.Redirect redirect)) {
      return;
    }
    RedirectSpec r = redirect.redirect();
    RedirectAction.Builder b = RedirectAction.newBuilder();
    r.scheme().ifPresent(b::setSchemeRedirect);
    r.host().ifPresent(b::setHostRedirect);
    r.port().ifPresent(b::setPortRedirect);
    r.path().ifPresent(b::setPathRedirect);
    r.prefix().ifPresent(b::setPrefixRewrite);
    b.setResponseCode(
        switch (r.code()) {
          case 302 -> RedirectAction.RedirectResponseCode.FOUND;
          case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
          case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
          case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
          default -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
        });
    route.setRedirect(b);
  }
}
