package dev.sluice.server.auth;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code sluice serve} was told about protecting its control channel.
 *
 * @param tls TLS for the xDS and rate-limit ports; empty: plaintext
 * @param proxyTokens the proxy-token file; empty: no tokens from Sluice's own config
 * @param consulTokens proxies present Consul ACL tokens, checked against the registry's Consul (an
 *     alternative to {@code proxyTokens}: one token source)
 * @param insecureXds the operator's explicit consent to plaintext or unauthenticated xDS beyond
 *     loopback
 */
public record SecurityOptions(
    Optional<ControlPlaneTls.Options> tls,
    Optional<Path> proxyTokens,
    Optional<ConsulAclTokens.Options> consulTokens,
    boolean insecureXds) {
  public SecurityOptions {
    if (proxyTokens.isPresent() && consulTokens.isPresent()) {
      throw new IllegalArgumentException(
          "--proxy-tokens and --proxy-auth consul are alternatives: give one");
    }
  }

  public static SecurityOptions none() {
    return new SecurityOptions(Optional.empty(), Optional.empty(), Optional.empty(), false);
  }

  public SecurityOptions withTls(ControlPlaneTls.Options options) {
    return new SecurityOptions(Optional.of(options), proxyTokens, consulTokens, insecureXds);
  }

  public SecurityOptions withProxyTokens(Path file) {
    return new SecurityOptions(tls, Optional.of(file), consulTokens, insecureXds);
  }

  public SecurityOptions withConsulTokens(ConsulAclTokens.Options options) {
    return new SecurityOptions(tls, proxyTokens, Optional.of(options), insecureXds);
  }

  public SecurityOptions insecure() {
    return new SecurityOptions(tls, proxyTokens, consulTokens, true);
  }
}
