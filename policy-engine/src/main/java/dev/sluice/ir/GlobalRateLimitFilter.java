package dev.sluice.ir;

import java.time.Duration;
import java.util.Optional;

/**
 * A listener's global rate-limit filter.
 *
 * @param domain the service's namespace for this gateway's counters (the gateway name)
 * @param failOpen when the service cannot answer in time, let requests through
 * @param failureStatus when not failing open, the status of a request whose limits could not be
 *     checked (429 or 503): the service unreachable, too slow, or unable to reach its counters
 * @param service the cluster Sluice sends for the gateway's {@code globalRateLimit.service}, which
 *     the filter asks; empty: the Envoy bootstrap's static cluster
 */
public record GlobalRateLimitFilter(
    String domain,
    boolean failOpen,
    int failureStatus,
    Duration timeout,
    Optional<DnsCluster> service) {
  public GlobalRateLimitFilter {
    if (failureStatus != 429 && failureStatus != 503) {
      throw new IllegalArgumentException("failureStatus is 429 or 503, not " + failureStatus);
    }
  }
}
