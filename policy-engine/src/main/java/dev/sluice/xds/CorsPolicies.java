package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.sluice.policy.cors.CorsSpec;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/** CORS settings → Envoy's per-route/virtual-host CorsPolicy, and the filter that applies them. */
final class CorsPolicies {
  static final String FILTER = "envoy.filters.http.cors";

  private CorsPolicies() {}

  static Any policy(CorsSpec c) {
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

  /**
   * {@code *} → any origin; {@code *.example.com} → its sub-domains over http(s); else exact.
   * Host names are validated to letters, digits, '.' and '-', so escaping dots is enough.
   */
  private static StringMatcher origin(String origin) {
    if (origin.equals("*")) {
      return StringMatcher.newBuilder().setSafeRegex(Protos.regex(".*")).build();
    }
    if (origin.startsWith("*.")) {
      return StringMatcher.newBuilder()
          .setSafeRegex(Protos.regex("^https?://[^/]+\\." + origin.substring(2).replace(".", "\\.") + "(:[0-9]+)?$"))
          .build();
    }
    if (origin.startsWith("http://*.") || origin.startsWith("https://*.")) {
      int i = origin.indexOf("*.");
      return StringMatcher.newBuilder()
          .setSafeRegex(Protos.regex("^" + origin.substring(0, i).replace(".", "\\.") + "[^/]+\\."
              + origin.substring(i + 2).replace(".", "\\.") + "$"))
          .build();
    }
    return StringMatcher.newBuilder().setExact(origin).build();
  }
}
