package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * Each route's own {@code access} rules → a second RBAC check ({@link AccessRules}): a filter in
 * the listener without rules, which enforces nothing, and the rules on each route that has some.
 */
final class RouteAccessFilter implements HttpFilterFeature {
  static final String FILTER = "sluice.rbac.route";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.anyRoute(r -> !r.auth().access().isEmpty());
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(
        HttpFilter.newBuilder()
            .setName(FILTER)
            .setTypedConfig(Any.pack(RBAC.getDefaultInstance()))
            .build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(RBAC.getDescriptor(), RBACPerRoute.getDescriptor());
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    if (!ir.auth().access().isEmpty()) {
      route.putTypedPerFilterConfig(
          FILTER,
          Any.pack(
              RBACPerRoute.newBuilder()
                  .setRbac(
                      RBAC.newBuilder()
                          .setRules(AccessRules.rbac(ir.auth().access()))
                          .setRulesStatPrefix("route_"))
                  .build()));
    }
  }
}
