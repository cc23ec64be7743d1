package dev.sluice.policy.ratelimit;

import java.time.Duration;
import java.util.Optional;

/**
 * A local rate limit (Envoy's local_ratelimit filter): a token bucket per Envoy process holding
 * {@code burst} tokens, refilled with {@code requests} tokens every {@code per}. Over the limit,
 * requests get {@code status} and X-RateLimit-* headers. On a Gateway it covers each of its virtual
 * hosts; a Route's own replaces it for that route.
 *
 * @param by when present each client (as told by this key) has a bucket of its own; requests
 *     without the key share one
 */
public record RateLimitSpec(
    int requests, Duration per, int burst, int status, Optional<ClientKey> by) {
  /** What tells clients apart. {@code name} is the header or claim name, empty otherwise. */
  public record ClientKey(Type type, String name) {
    public enum Type {
      CLIENT_IP,
      HEADER,
      CONSUMER,
      CLAIM
    }
  }
}
