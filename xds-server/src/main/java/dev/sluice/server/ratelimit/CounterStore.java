package dev.sluice.server.ratelimit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where the rate-limit counters live: {@link InMemoryStore} (one replica) or {@link RedisStore}
 * (shared by every replica). One call is one atomic step for one descriptor.
 */
public interface CounterStore extends AutoCloseable {
  /**
   * Reads the current and previous window's counts of {@code key} and adds {@code hits} to the
   * current one: always when {@code enforce} is false (shadow rules), otherwise only when {@link
   * SlidingWindow#admits} says they fit under {@code limit}. Never blocks the caller: a store that
   * has to wait for something answers with a future, and a failure is a failed future.
   *
   * @param key the counter, without the window (the store adds the window's number)
   * @param windowMillis the limit's unit in milliseconds
   * @param nowMillis the time of the request, by the service's clock
   */
  CompletableFuture<SlidingWindow.Counts> hit(
      String key, long limit, long windowMillis, long hits, boolean enforce, long nowMillis);

  /**
   * Waits at most {@code wait} until the store can count (Redis: connected); false if it cannot
   * yet. Requests are answered either way, by the failure mode until it can.
   */
  default boolean ready(Duration wait) {
    return true;
  }

  /** {@code memory} or {@code redis}: the {@code store} label of the metrics. */
  String name();

  @Override
  void close();
}
