package dev.sluice.server.auth;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Decides whether a credential grants a claim. Sources may answer later (Consul is asked over
 * HTTP), so the answer is a future; an in-memory source answers at once.
 */
public interface ProxyAuthenticator {
  /** Lets every client claim anything: {@code --insecure-xds}, or loopback-only servers. */
  ProxyAuthenticator OPEN =
      new ProxyAuthenticator() {
        @Override
        public CompletableFuture<Decision> authorize(Credential credential, Claim claim) {
          return CompletableFuture.completedFuture(Decision.allow("none"));
        }

        @Override
        public String describe() {
          return "none (any client may claim any identity)";
        }
      };

  CompletableFuture<Decision> authorize(Credential credential, Claim claim);

  /** For the start-up log line and the status page: which credentials are accepted. */
  String describe();

  /**
   * Whether this source requires credentials at all: {@link #OPEN} does not, and a server that
   * listens beyond loopback with it must be told {@code --insecure-xds}.
   */
  default boolean authenticates() {
    return this != OPEN;
  }

  /**
   * Registers a callback for when grants may have been withdrawn (a token removed from the file),
   * so that connected streams are checked again at once.
   */
  default void onChange(Runnable listener) {}

  /**
   * How often connected streams are checked again when the source cannot say that a grant was
   * withdrawn (a Consul token revoked); empty when {@link #onChange} is enough.
   */
  default Optional<Duration> recheckEvery() {
    return Optional.empty();
  }

  /**
   * How long an admitted stream is kept while its credential cannot be checked (the source is
   * unreachable: {@link Decision#UNCHECKED}), counted from its last confirmation; new streams are
   * refused meanwhile. Zero: the first check that fails ends it.
   */
  default Duration outageGrace() {
    return Duration.ZERO;
  }
}
