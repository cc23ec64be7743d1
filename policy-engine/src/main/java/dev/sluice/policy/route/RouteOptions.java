package dev.sluice.policy.route;

import dev.sluice.policy.access.AccessRule;
import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.cors.CorsSpec;
import dev.sluice.policy.globalratelimit.GlobalRateLimitSpec;
import dev.sluice.policy.ratelimit.RateLimitSpec;
import dev.sluice.policy.route.grpcjson.GrpcJsonSpec;
import dev.sluice.policy.route.headers.HeadersSpec;
import dev.sluice.policy.route.mirror.MirrorSpec;
import dev.sluice.policy.route.redirect.RedirectSpec;
import dev.sluice.policy.route.respond.DirectResponseSpec;
import dev.sluice.policy.route.retry.RetrySpec;
import dev.sluice.policy.route.rewrite.RewriteSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a route does besides matching and choosing services; each part is read and checked by its
 * own package (route.retry, route.headers, route.rewrite, route.redirect, route.respond,
 * route.mirror).
 *
 * @param queries query-parameter conditions of the match
 * @param redirect when present the route answers with a redirect and has no services
 * @param respond when present the route answers itself and has no services
 * @param forwarding how requests are forwarded to the route's services
 * @param filters the route's settings of the gateway's HTTP filters
 * @param limits the route's rate limits
 * @param security who may call the route
 */
public record RouteOptions(
    List<QueryMatch> queries,
    HeadersSpec headers,
    Optional<RedirectSpec> redirect,
    Optional<DirectResponseSpec> respond,
    Forwarding forwarding,
    Filters filters,
    Limits limits,
    Security security) {
  public static final RouteOptions NONE =
      new RouteOptions(
          List.of(),
          HeadersSpec.NONE,
          Optional.empty(),
          Optional.empty(),
          Forwarding.NONE,
          Filters.NONE,
          Limits.NONE,
          Security.NONE);

  public RouteOptions {
    queries = List.copyOf(queries);
  }

  /**
   * How requests are forwarded to the route's services.
   *
   * @param idleTimeout how long a request/response may stay idle before Envoy resets it
   */
  public record Forwarding(
      Optional<Duration> idleTimeout,
      Optional<RetrySpec> retries,
      Optional<RewriteSpec> rewrite,
      List<MirrorSpec> mirrors) {
    static final Forwarding NONE =
        new Forwarding(Optional.empty(), Optional.empty(), Optional.empty(), List.of());

    public Forwarding {
      mirrors = List.copyOf(mirrors);
    }
  }

  /**
   * The route's settings of the gateway's HTTP filters.
   *
   * @param cors replaces the gateway's CORS settings for this route
   * @param compressionOff {@code compression: false}: the gateway's compression skips this route
   * @param cache {@code cache: true}: Envoy's cache filter serves this route's cacheable responses
   *     (as Cache-Control allows) without asking the upstream again
   * @param grpcJson JSON/REST calls on this route are transcoded to the gRPC service upstream
   */
  public record Filters(
      Optional<CorsSpec> cors,
      boolean compressionOff,
      boolean cache,
      Optional<GrpcJsonSpec> grpcJson) {
    static final Filters NONE = new Filters(Optional.empty(), false, false, Optional.empty());
  }

  /**
   * The route's rate limits.
   *
   * @param rateLimit replaces the gateway's local rate limit for this route
   * @param globalRateLimit limits shared by every Envoy, counted per route (besides the gateway's)
   */
  public record Limits(
      Optional<RateLimitSpec> rateLimit, Optional<GlobalRateLimitSpec> globalRateLimit) {
    static final Limits NONE = new Limits(Optional.empty(), Optional.empty());
  }

  /**
   * Who may call the route.
   *
   * @param auth replaces the gateway's authentication for this route ({@link AuthSpec#NONE}: none)
   * @param access rules for this route, checked after the gateway's
   */
  public record Security(Optional<AuthSpec> auth, List<AccessRule> access) {
    static final Security NONE = new Security(Optional.empty(), List.of());

    public Security {
      access = List.copyOf(access);
    }
  }

  /** A query-parameter condition: an exact value, a regex, or just present. */
  public record QueryMatch(String name, Type type, String value) {
    public enum Type {
      EXACT,
      REGEX,
      PRESENT
    }
  }
}
