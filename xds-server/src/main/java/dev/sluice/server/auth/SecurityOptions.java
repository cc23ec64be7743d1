package dev.sluice.server.auth;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code sluice serve} was told about protecting its control channel.
 *
 * @param tls TLS for the xDS and rate-limit ports; empty: plaintext
 * @param proxyTokens the proxy-token file; empty: no tokens from Sluice's own config
 * @param insecureXds the operator's explicit consent to plaintext or unauthenticated xDS beyond loopback
 */
public record SecurityOptions(Optional<ControlPlaneTls.Options> tls, Optional<Path> proxyTokens, boolean insecureXds) {
  public static SecurityOptions none() {
    return new SecurityOptions(Optional.empty(), Optional.empty(), false);
  }

  public SecurityOptions withTls(ControlPlaneTls.Options options) {
    return new SecurityOptions(Optional.of(options), proxyTokens, insecureXds);
  }

  public SecurityOptions withProxyTokens(Path file) {
    return new SecurityOptions(tls, Optional.of(file), insecureXds);
  }

  public SecurityOptions insecure() {
    return new SecurityOptions(tls, proxyTokens, true);
  }
}
