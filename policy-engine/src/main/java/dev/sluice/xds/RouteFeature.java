package dev.sluice.xds;

import dev.sluice.ir.HttpRoute;
import io.envoyproxy.envoy.config.route.v3.Route;

/**
 * One feature of a route entry (retries, rewrites, mirrors...): reads the IR route and sets its
 * part of the Envoy route. Features run in the order of {@link RouteTableTranslator#FEATURES}, each
 * in its own file, and touch only their own fields. An HTTP filter's part of a route is its {@link
 * HttpFilterFeature#patchRoute}.
 */
interface RouteFeature {
  void apply(HttpRoute ir, Route.Builder route);
}
