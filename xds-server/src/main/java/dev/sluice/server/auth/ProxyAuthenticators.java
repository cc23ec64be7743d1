package dev.sluice.server.auth;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The credential sources a server accepts, as one {@link ProxyAuthenticator}: a verified client
 * certificate decides when the client presents one and certificates are accepted; otherwise the
 * token source (Sluice's token file or Consul ACL tokens) decides.
 */
public final class ProxyAuthenticators {
  private ProxyAuthenticators() {}

  /** {@link ProxyAuthenticator#OPEN} when no source is given. */
  public static ProxyAuthenticator of(
      Optional<ProxyAuthenticator> tokens, boolean clientCertificates) {
    if (tokens.isEmpty() && !clientCertificates) {
      return ProxyAuthenticator.OPEN;
    }
    ProxyAuthenticator certificates = clientCertificates ? new ClientCertificates() : null;
    return new ProxyAuthenticator() {
      @Override
      public CompletableFuture<Decision> authorize(Credential credential, Claim claim) {
        if (certificates != null && !credential.certificateUris().isEmpty()) {
          return certificates.authorize(credential, claim);
        }
        if (tokens.isPresent()) {
          return tokens.get().authorize(credential, claim);
        }
        return CompletableFuture.completedFuture(
            Decision.deny(
                "",
                Decision.NO_CREDENTIAL,
                "no client certificate: one is needed to claim " + claim));
      }

      @Override
      public void onChange(Runnable listener) {
        tokens.ifPresent(t -> t.onChange(listener));
      }

      @Override
      public Optional<Duration> recheckEvery() {
        return tokens.flatMap(ProxyAuthenticator::recheckEvery);
      }

      @Override
      public Duration outageGrace() {
        return tokens.map(ProxyAuthenticator::outageGrace).orElse(Duration.ZERO);
      }

      @Override
      public String describe() {
        return tokens.map(ProxyAuthenticator::describe).orElse("")
            + (tokens.isPresent() && certificates != null ? " and " : "")
            + (certificates != null ? certificates.describe() : "");
      }
    };
  }
}
