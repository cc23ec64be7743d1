package dev.sluice.policy.gateway;

import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.Source;
import dev.sluice.policy.access.AccessRule;
import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.compression.CompressionSpec;
import dev.sluice.policy.cors.CorsSpec;
import dev.sluice.policy.globalratelimit.GlobalRateLimitSpec;
import dev.sluice.policy.hardening.HardeningSpec;
import dev.sluice.policy.ratelimit.RateLimitSpec;
import dev.sluice.policy.telemetry.TelemetrySpec;
import dev.sluice.policy.tls.TlsSpec;
import java.util.List;
import java.util.Optional;

/**
 * A listener on the edge: the Envoy proxies whose node cluster (or {@code sluice.gateway} node
 * metadata) equals {@code name} get it.
 *
 * @param listen where the gateway listens, for which hosts
 * @param zone where the gateway's Envoys run; services with {@code zoneFailover} prefer endpoints
 *     in this zone. Empty when not given.
 * @param http the HTTP features every route of the gateway gets
 * @param limits the gateway's rate limits
 * @param security who the client is and what it may do, for every route
 * @param hardening the edge limits ({@link HardeningSpec#DEFAULTS} unless relaxed)
 * @param telemetry access logs, tracing and Prometheus statistics of the gateway's Envoys
 */
public record GatewaySpec(
    String name,
    Source source,
    Listen listen,
    String zone,
    Http http,
    Limits limits,
    Security security,
    HardeningSpec hardening,
    Optional<TelemetrySpec> telemetry)
    implements PolicyResource {
  public static final String KIND = "Gateway";

  @Override
  public String kind() {
    return KIND;
  }

  /**
   * Where the gateway listens, for which hosts.
   *
   * @param tls TLS termination: the listener serves HTTPS only
   */
  public record Listen(String address, int port, List<String> hosts, Optional<TlsSpec> tls) {
    public Listen {
      hosts = List.copyOf(hosts);
    }
  }

  /**
   * The HTTP features every route of the gateway gets.
   *
   * @param cors CORS for every route of the gateway (a route's own replaces it)
   * @param compression response compression for every route (a route may turn it off)
   * @param grpcWeb whether browsers may call gRPC services through this gateway with gRPC-Web
   */
  public record Http(
      Optional<CorsSpec> cors, Optional<CompressionSpec> compression, boolean grpcWeb) {}

  /**
   * The gateway's rate limits.
   *
   * @param rateLimit a local rate limit for each virtual host (a route's own replaces it)
   * @param globalRateLimit limits shared by every Envoy of the gateway (and its failure mode and
   *     timeout)
   */
  public record Limits(
      Optional<RateLimitSpec> rateLimit, Optional<GlobalRateLimitSpec> globalRateLimit) {}

  /**
   * Who the client is and what it may do, for every route.
   *
   * @param trustedHops how many proxies in front of the gateway append to X-Forwarded-For and are
   *     trusted to tell the client's address (0: the client is whoever connects)
   * @param auth authentication for every route (a route's own replaces it)
   * @param access rules checked for every request, before the route's own
   */
  public record Security(int trustedHops, Optional<AuthSpec> auth, List<AccessRule> access) {
    public Security {
      access = List.copyOf(access);
    }
  }
}
