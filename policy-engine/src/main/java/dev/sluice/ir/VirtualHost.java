package dev.sluice.ir;

import dev.sluice.policy.cors.CorsSpec;
import dev.sluice.policy.ratelimit.RateLimitSpec;
import java.util.List;
import java.util.Optional;

/**
 * @param cors the gateway's CORS settings, for every route that has none of its own
 * @param rateLimit the gateway's local rate limit, for every route that has none of its own
 */
public record VirtualHost(
    String name, List<String> domains, List<HttpRoute> routes, Optional<CorsSpec> cors, Optional<RateLimitSpec> rateLimit) {
  public VirtualHost {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }
}
