package dev.sluice.xds;

import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.RouteAction;
import dev.sluice.ir.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;

/**
 * One route table per listener; virtual hosts and routes keep the IR's order (first match wins).
 */
final class RouteTableTranslator implements FeatureTranslator {
  /**
   * The parts of a route entry that are not an HTTP filter's, in the order they are set; the
   * filters' parts follow, in {@link HttpFilterChain#ROUTE_CONFIG_ORDER}.
   */
  static final List<RouteFeature> FEATURES =
      List.of(
          new MatchFeature(),
          new ForwardFeature(),
          new RetryFeature(),
          new RewriteFeature(),
          new MirrorFeature(),
          new HashPolicyFeature(),
          new RedirectFeature(),
          new DirectResponseFeature(),
          new HeaderEditFeature());

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (HttpListener l : ir.listeners()) {
      RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName(l.routeConfigName());
      String routeKey = "route/" + l.routeConfigName();
      String listenerKey = "listener/" + l.name();
      for (VirtualHost vh : l.virtualHosts()) {
        var vhost =
            io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder()
                .setName(vh.name())
                .addAllDomains(vh.domains());
        HttpFilterChain.ROUTE_CONFIG_ORDER.forEach(f -> f.patchVirtualHost(l, vhost));
        for (HttpRoute r : vh.routes()) {
          vhost.addRoutes(
              out.memo.route(
                  r,
                  () -> {
                    Route.Builder route = Route.newBuilder().setName(r.name());
                    FEATURES.forEach(f -> f.apply(r, route));
                    HttpFilterChain.ROUTE_CONFIG_ORDER.forEach(f -> f.patchRoute(r, route));
                    return route.build();
                  }));
          String origin = r.policy() + " (" + r.source() + ")";
          out.origin(routeKey, origin);
          out.origin(RejectedRoutes.key(l.routeConfigName(), r.name()), origin);
          out.origin(listenerKey, origin);
          if (r.action() instanceof RouteAction.Forward fwd) {
            fwd.clusters()
                .forEach(
                    c -> {
                      out.origin("cluster/" + c.cluster(), origin);
                      out.origin("endpoint/" + c.cluster(), origin);
                    });
          }
        }
        rc.addVirtualHosts(vhost);
      }
      out.routes.put(l.routeConfigName(), rc);
    }
  }
}
