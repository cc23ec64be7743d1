package dev.sluice.server.ratelimit;

import java.time.Duration;
import java.util.Optional;

/**
 * How the rate-limit service counts and what it does when it cannot.
 *
 * @param redis a Redis URI ({@code redis://host:port}) shared by every replica; empty: count in
 *     this process ({@link InMemoryStore})
 * @param storeTimeout how long one counter update may take; past it the descriptor is answered by
 *     {@code failureMode}. Keep it below the timeout of Envoy's ratelimit filter, or Envoy gives up
 *     first and applies its own failure mode instead.
 * @param failureMode what an unreachable or slow store answers (OPEN by default)
 * @param maxKeys the in-memory store's bound on live counters
 */
public record RateLimitOptions(Optional<String> redis, Duration storeTimeout, FailureMode failureMode, int maxKeys) {
  public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofMillis(100);

  public RateLimitOptions {
    if (storeTimeout.isNegative() || storeTimeout.isZero()) {
      throw new IllegalArgumentException("the store timeout must be positive, not " + storeTimeout);
    }
  }

  /** In memory, 100 ms, fail open. */
  public static RateLimitOptions defaults() {
    return new RateLimitOptions(Optional.empty(), DEFAULT_STORE_TIMEOUT, FailureMode.OPEN, InMemoryStore.DEFAULT_MAX_KEYS);
  }

  public RateLimitOptions withRedis(String uri) {
    return new RateLimitOptions(Optional.of(uri), storeTimeout, failureMode, maxKeys);
  }

  public RateLimitOptions withStoreTimeout(Duration timeout) {
    return new RateLimitOptions(redis, timeout, failureMode, maxKeys);
  }

  public RateLimitOptions withFailureMode(FailureMode mode) {
    return new RateLimitOptions(redis, storeTimeout, mode, maxKeys);
  }

  public RateLimitOptions withMaxKeys(int max) {
    return new RateLimitOptions(redis, storeTimeout, failureMode, max);
  }

  /** A new store as these options say; the caller closes it. */
  public CounterStore openStore() {
    return redis.<CounterStore>map(uri -> new RedisStore(uri, storeTimeout)).orElseGet(() -> new InMemoryStore(maxKeys));
  }

  /** Never prints a password that the Redis URI may hold. */
  @Override
  public String toString() {
    return "RateLimitOptions[store=" + redis.map(u -> u.replaceAll("//[^@/]*@", "//***@")).orElse("memory") + ", storeTimeout="
        + storeTimeout.toMillis() + "ms, failureMode=" + failureMode + ", maxKeys=" + maxKeys + "]";
  }
}
