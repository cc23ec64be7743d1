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
 * @param filters the route's settings of the listener's HTTP filters
 * @param limits the rate limits counted for the route
 * @param auth what the route checks before it forwards
 * @param policy the policy that produced it (such as {@code Route/users}), for NACK attribution
 */
public record HttpRoute(
    String name,
    RouteMatch match,
    RouteAction action,
    HeadersSpec headers,
    Filters filters,
    Limits limits,
    RouteAuth auth,
    String policy,
    Source source) {

  /**
   * The route's settings of the listener's HTTP filters.
   *
   * @param cors the route's own CORS settings (they replace the gateway's)
   * @param compressionOff whether the gateway's compression skips this route
   * @param cache empty when the listener has no cache filter; else whether this route uses it
   * @param grpcJson the route's gRPC-JSON transcoding, when it has one
   */
  public record Filters(
      Optional<CorsSpec> cors,
      boolean compressionOff,
      Optional<Boolean> cache,
      Optional<GrpcJsonSpec> grpcJson) {}

  /**
   * The rate limits counted for the route.
   *
   * @param rateLimit the route's own local rate limit (it replaces the gateway's)
   * @param globalLimits limits counted by the rate-limit service (the gateway's, then the route's)
   */
  public record Limits(Optional<RateLimitSpec> rateLimit, List<GlobalLimit> globalLimits) {
    public Limits {
      globalLimits = List.copyOf(globalLimits);
    }
  }
}
