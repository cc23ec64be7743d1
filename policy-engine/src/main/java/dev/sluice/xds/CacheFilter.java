package dev.sluice.xds;

import com.google.protobuf.Any;
import dev.sluice.ir.HttpRoute;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.cache.v3.CacheConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.http.cache.simple_http_cache.v3.SimpleHttpCacheConfig;

/**
 * {@code cache: true} on a route → Envoy's cache filter (in-memory SimpleHttpCache, honouring
 * Cache-Control and Vary) in the listener, turned off on every route that did not ask for it.
 * Envoy's cache filter has no per-route config to turn it on, only the generic per-route
 * {@code disabled}, hence on-by-default and off where not wanted.
 */
final class CacheFilter implements RouteFeature {
  static final String FILTER = "envoy.filters.http.cache";

  static HttpFilter filter() {
    return HttpFilter.newBuilder()
        .setName(FILTER)
        .setTypedConfig(Any.pack(CacheConfig.newBuilder()
            .setTypedConfig(Any.pack(SimpleHttpCacheConfig.getDefaultInstance()))
            .build()))
        .build();
  }

  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    if (ir.cache().isPresent() && !ir.cache().get()) {
      route.putTypedPerFilterConfig(FILTER, Any.pack(FilterConfig.newBuilder().setDisabled(true).build()));
    }
  }
}
