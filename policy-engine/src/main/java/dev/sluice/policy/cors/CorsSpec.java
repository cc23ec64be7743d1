package dev.sluice.policy.cors;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Cross-origin resource sharing, answered by Envoy's CORS filter (preflights never reach the
 * upstream). On a Gateway it applies to every route; a Route's own {@code cors} replaces it.
 *
 * @param allowOrigins exact origins, {@code *} for any, or {@code *.example.com} for sub-domains
 */
public record CorsSpec(
    List<String> allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    Optional<Duration> maxAge,
    boolean allowCredentials) {
  public CorsSpec {
    allowOrigins = List.copyOf(allowOrigins);
    allowMethods = List.copyOf(allowMethods);
    allowHeaders = List.copyOf(allowHeaders);
    exposeHeaders = List.copyOf(exposeHeaders);
  }
}
