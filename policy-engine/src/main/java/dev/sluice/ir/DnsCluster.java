package dev.sluice.ir;

/**
 * A cluster for something outside the registry that Envoy itself must reach, such as a JWKS URL, an
 * OpenTelemetry collector or a rate-limit service: Envoy resolves {@code host} by DNS.
 *
 * @param http2 whether Envoy speaks HTTP/2 to it (gRPC services such as an OTLP collector)
 */
public record DnsCluster(String name, String host, int port, boolean tls, boolean http2) {
  /** An HTTP/1.1 cluster. */
  public DnsCluster(String name, String host, int port, boolean tls) {
    this(name, host, port, tls, false);
  }

  /**
   * The cluster of a provider's JWKS URL; '_' cannot start a service name, so it never meets a
   * service's.
   */
  public static String forJwks(String provider) {
    return "_jwks_" + provider;
  }

  /** The cluster of an OpenTelemetry collector (OTLP over gRPC). */
  public static String forCollector(String host, int port) {
    return "_otel_" + host + "_" + port;
  }

  /**
   * The cluster of a gateway's rate-limit service (gRPC). Never the bootstrap's static {@code
   * sluice_ratelimit}: Envoy rejects a CDS cluster named like a static one.
   */
  public static String forRateLimitService(String host, int port) {
    return "_ratelimit_" + host + "_" + port;
  }
}
