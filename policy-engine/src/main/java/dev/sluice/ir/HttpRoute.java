package dev.sluice.ir;

import dev.sluice.policy.Source;
import dev.sluice.policy.cors.CorsSpec;
import dev.sluice.policy.ratelimit.RateLimitSpec;
import dev.sluice.policy.route.grpcjson.GrpcJsonSpec;
import dev.sluice.policy.route.headers.HeadersSpec;
import java.util.List;
import java.util.Optional;

/**
 * One route entry: a match, what to do with matching requests, and header edits.
 *
 * @param cors the route's own CORS settings (they replace the gateway's)
 * @param compressionOff whether the gateway's compression skips this route
 * @param cache empty when the listener has no cache filter; else whether this route uses it
 * @param auth what the route checks before it forwards
 * @param globalLimits limits counted by the rate-limit service (the gateway's, then the route's)
 * @param policy the policy that produced it (such as {@code Route/users}), for NACK attribution
 */
public record HttpRoute(
    String name,
    RouteMatch match,
    RouteAction action,
    HeadersSpec headers,
    Optional<CorsSpec> cors,
    boolean compressionOff,
    Optional<Boolean> cache,
    Optional<GrpcJsonSpec> grpcJson,
    Optional<RateLimitSpec> rateLimit,
    RouteAuth auth,
    List<GlobalLimit> globalLimits,
    String policy,
    Source source) {
  public HttpRoute {
    globalLimits = List.copyOf(globalLimits);
  }
}
