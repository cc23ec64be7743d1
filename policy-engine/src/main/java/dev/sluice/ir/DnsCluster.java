package dev.sluice.ir;

/**
 * A cluster for something outside the registry that Envoy itself must reach, such as a JWKS URL:
 * Envoy resolves {@code host} by DNS.
 */
public record DnsCluster(String name, String host, int port, boolean tls) {
  /** The cluster of a provider's JWKS URL; '_' cannot start a service name, so it never meets a service's. */
  public static String forJwks(String provider) {
    return "_jwks_" + provider;
  }
}
