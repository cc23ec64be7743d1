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
 * @param maxBytes the in-memory store's bound on the bytes of its counters (see {@link
 *     InMemoryStore#cost})
 */
public record RateLimitOptions(
    Optional<String> redis,
    Duration storeTimeout,
    FailureMode failureMode,
    int maxKeys,
    long maxBytes) {
  public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofMillis(100);

  public RateLimitOptions {
    if (storeTimeout.isNegative() || storeTimeout.isZero()) {
      throw new IllegalArgumentException("the store timeout must be positive, not " + storeTimeout);
    }
    if (maxKeys < 1 || maxBytes < 1024) {
      throw new IllegalArgumentException(
          "the in-memory store needs room for at least 1 counter and 1024 bytes, not "
              + maxKeys
              + " counters and "
              + maxBytes
              + " bytes");
    }
  }

  /** In memory, 100 ms, fail open. */
  public static RateLimitOptions defaults() {
    return new RateLimitOptions(
        Optional.empty(),
        DEFAULT_STORE_TIMEOUT,
        FailureMode.OPEN,
        InMemoryStore.DEFAULT_MAX_KEYS,
        InMemoryStore.DEFAULT_MAX_BYTES);
  }

  public RateLimitOptions withRedis(String uri) {
    return new RateLimitOptions(Optional.of(uri), storeTimeout, failureMode, maxKeys, maxBytes);
  }

  public RateLimitOptions withStoreTimeout(Duration timeout) {
    return new RateLimitOptions(redis, timeout, failureMode, maxKeys, maxBytes);
  }

  public RateLimitOptions withFailureMode(FailureMode mode) {
    return new RateLimitOptions(redis, storeTimeout, mode, maxKeys, maxBytes);
  }

  public RateLimitOptions withMaxKeys(int max) {
    return new RateLimitOptions(redis, storeTimeout, failureMode, max, maxBytes);
  }

  public RateLimitOptions withMaxBytes(long max) {
    return new RateLimitOptions(redis, storeTimeout, failureMode, maxKeys, max);
  }

  /** A new store as these options say; the caller closes it. */
  public CounterStore openStore() {
    return redis
        .<CounterStore>map(uri -> new RedisStore(uri, storeTimeout))
        .orElseGet(() -> new InMemoryStore(maxKeys, maxBytes));
  }

  /** Never prints a password that the Redis URI may hold. */
  @Override
  public String toString() {
    return "RateLimitOptions[store="
        + redis.map(u -> u.replaceAll("//[^@/]*@", "//***@")).orElse("memory")
        + ", storeTimeout="
        + storeTimeout.toMillis()
        + "ms, failureMode="
        + failureMode
        + ", maxKeys="
        + maxKeys
        + ", maxBytes="
        + maxBytes
        + "]";
  }
}
