package dev.sluice.ir;

import java.time.Duration;

/**
 * A listener's global rate-limit filter.
 *
 * @param domain the service's namespace for this gateway's counters (the gateway name)
 * @param failOpen when the service cannot answer in time, let requests through
 */
public record GlobalRateLimitFilter(String domain, boolean failOpen, Duration timeout) {}
