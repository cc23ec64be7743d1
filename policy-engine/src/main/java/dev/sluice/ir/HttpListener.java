package dev.sluice.ir;

import dev.sluice.policy.compression.CompressionSpec;
import dev.sluice.policy.cors.CorsSpec;
import dev.sluice.policy.hardening.HardeningSpec;
import dev.sluice.policy.ratelimit.RateLimitSpec;
import dev.sluice.policy.route.grpcjson.GrpcJsonSpec;
import dev.sluice.policy.telemetry.TelemetrySpec;
import dev.sluice.policy.tls.TlsSpec;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An HTTP listener (HTTPS when {@code tls} is given) and its virtual hosts, in match order.
 *
 * @param filters the gateway's settings of the HTTP filters every route shares
 * @param limits the gateway's rate limits
 * @param trustedHops proxies in front of the gateway trusted to append to X-Forwarded-For
 * @param auth the authentication and access filters its routes need
 * @param tls TLS termination: certificate, key and client CA go to Envoy as SDS secrets
 * @param hardening the edge limits
 * @param telemetry the access log and tracing of the listener, and a listener of its own serving
 *     Envoy's statistics to Prometheus; the collector's cluster is in {@link
 *     ProxyConfig#dnsClusters()}
 */
public record HttpListener(
    String name,
    String address,
    int port,
    List<VirtualHost> virtualHosts,
    Filters filters,
    Limits limits,
    int trustedHops,
    ListenerAuth auth,
    Optional<TlsSpec> tls,
    HardeningSpec hardening,
    Optional<TelemetrySpec> telemetry) {
  public HttpListener {
    virtualHosts = List.copyOf(virtualHosts);
  }

  /** Whether some route of some virtual host matches {@code p}. */
  public boolean anyRoute(Predicate<HttpRoute> p) {
    return virtualHosts.stream().anyMatch(vh -> vh.routes().stream().anyMatch(p));
  }

  /** The RDS name: one route table per listener. */
  public String routeConfigName() {
    return name;
  }

  /**
   * The SDS name of the listener's certificate and key. Stable while the listener exists, so a
   * rotated certificate is a new version of the same secret and the listener itself is unchanged
   * (no drain, no new listener).
   */
  public String certificateSecretName() {
    return name + "-cert";
  }

  /** The SDS name of the CA that validates client certificates. */
  public String clientCaSecretName() {
    return name + "-client-ca";
  }

  /**
   * The gateway's settings of the HTTP filters every route shares.
   *
   * @param cors the gateway's CORS settings, for every route that has none of its own
   * @param compression the gateway's response compression
   * @param grpcJson the first transcoding route's settings: the listener's (disabled) transcoder
   *     filter needs a valid config; each route enables it with its own
   * @param grpcWeb whether the gateway accepts gRPC-Web
   */
  public record Filters(
      Optional<CorsSpec> cors,
      Optional<CompressionSpec> compression,
      Optional<GrpcJsonSpec> grpcJson,
      boolean grpcWeb) {}

  /**
   * The gateway's rate limits.
   *
   * @param rateLimit the gateway's local rate limit, for every route that has none of its own
   * @param globalRateLimit the global rate-limit filter, when some route has a global limit
   */
  public record Limits(
      Optional<RateLimitSpec> rateLimit, Optional<GlobalRateLimitFilter> globalRateLimit) {}
}
