package dev.sluice.policy.ratelimit;

import java.time.Duration;

/**
 * A local rate limit (Envoy's local_ratelimit filter): a token bucket per Envoy process holding
 * {@code burst} tokens, refilled with {@code requests} tokens every {@code per}. Over the limit,
 * requests get {@code status} and X-RateLimit-* headers. On a Gateway it covers each of its
 * virtual hosts; a Route's own replaces it for that route.
 */
public record RateLimitSpec(int requests, Duration per, int burst, int status) {}
