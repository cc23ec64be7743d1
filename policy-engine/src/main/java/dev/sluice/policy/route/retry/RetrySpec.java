package dev.sluice.policy.route.retry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a route retries: Envoy's retry policy.
 *
 * @param on Envoy {@code retry_on} conditions
 * @param statusCodes the codes {@code retriable-status-codes} retries on
 */
public record RetrySpec(
    int attempts,
    Optional<Duration> perTryTimeout,
    List<String> on,
    List<Integer> statusCodes,
    Optional<Duration> backoffBase,
    Optional<Duration> backoffMax) {
  public RetrySpec {
    on = List.copyOf(on);
    statusCodes = List.copyOf(statusCodes);
  }
}
