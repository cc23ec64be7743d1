package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.policy.cors.CorsSpec;
import dev.sluice.policy.cors.Origins;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/**
 * CORS settings → Envoy's cors filter in the listener, and a CorsPolicy on each virtual host (the
 * gateway's) and route (its own, which Envoy lets replace the virtual host's).
 */
final class CorsFilter implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.cors";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.filters().cors().isPresent() || l.anyRoute(r -> r.filters().cors().isPresent());
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(
        HttpFilter.newBuilder()
            .setName(FILTER)
            .setTypedConfig(Any.pack(Cors.getDefaultInstance()))
            .build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(Cors.getDescriptor(), CorsPolicy.getDescriptor());
  }

  @Override
  public void patchVirtualHost(HttpListener l, VirtualHost.Builder vhost) {
    l.filters().cors().ifPresent(c -> vhost.putTypedPerFilterConfig(FILTER, policy(c)));
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    ir.filters().cors().ifPresent(c -> route.putTypedPerFilterConfig(FILTER, policy(c)));
  }

  private static Any policy(CorsSpec c) {
    CorsPolicy.Builder b = CorsPolicy.newBuilder();
    for (String origin : c.allowOrigins()) {
      b.addAllowOriginStringMatch(origin(origin));
    }
    if (!c.allowMethods().isEmpty()) {
      b.setAllowMethods(String.join(",", c.allowMethods()));
    }
    if (!c.allowHeaders().isEmpty()) {
      b.setAllowHeaders(String.join(",", c.allowHeaders()));
    }
    if (!c.exposeHeaders().isEmpty()) {
      b.setExposeHeaders(String.join(",", c.exposeHeaders()));
    }
    c.maxAge().ifPresent(d -> b.setMaxAge(String.valueOf(d.toSeconds())));
    if (c.allowCredentials()) {
      b.setAllowCredentials(BoolValue.of(true));
    }
    return Any.pack(b.build());
  }

  private static StringMatcher origin(String origin) {
    return Origins.regex(origin)
        .map(r -> StringMatcher.newBuilder().setSafeRegex(Protos.regex(r)).build())
        .orElseGet(() -> StringMatcher.newBuilder().setExact(origin).build());
  }
}
