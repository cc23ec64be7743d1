package dev.sluice.server.ratelimit;

/**
 * What the service answers for a descriptor whose counter it cannot reach (Redis down or slower
 * than the store timeout, the in-memory store full). Shadow rules always answer OK.
 */
public enum FailureMode {
  /** Allow the request (the default): an outage of the store never stops traffic. */
  OPEN,
  /** Answer OVER_LIMIT: Envoy rejects the request with its rate-limited status (429). */
  CLOSED,
  /**
   * Fail the whole call with gRPC UNAVAILABLE: Envoy's ratelimit filter then applies its own
   * failure mode ({@code failure_mode_deny: true} with {@code status_on_error}, e.g. 503).
   */
  UNAVAILABLE
}
