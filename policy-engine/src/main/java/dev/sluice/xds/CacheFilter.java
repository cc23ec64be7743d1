package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.cache.v3.CacheConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.http.cache.simple_http_cache.v3.SimpleHttpCacheConfig;
import java.util.List;

/**
 * {@code cache: true} on a route → Envoy's cache filter (in-memory SimpleHttpCache, honouring
 * Cache-Control and Vary) in the listener, turned off on every route that did not ask for it.
 * Envoy's cache filter has no per-route config to turn it on, only the generic per-route {@code
 * disabled}, hence on-by-default and off where not wanted.
 */
final class CacheFilter implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.cache";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.anyRoute(r -> r.filters().cache().orElse(false));
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(
        HttpFilter.newBuilder()
            .setName(FILTER)
            .setTypedConfig(
                Any.pack(
                    CacheConfig.newBuilder()
                        .setTypedConfig(Any.pack(SimpleHttpCacheConfig.getDefaultInstance()))
                        .build()))
            .build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(
        CacheConfig.getDescriptor(),
        SimpleHttpCacheConfig.getDescriptor(),
        FilterConfig.getDescriptor());
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    if (ir.filters().cache().isPresent() && !ir.filters().cache().get()) {
      route.putTypedPerFilterConfig(
          FILTER, Any.pack(FilterConfig.newBuilder().setDisabled(true).build()));
    }
  }
}
