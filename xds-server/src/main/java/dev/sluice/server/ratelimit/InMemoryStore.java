package dev.sluice.server.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The default store: counters in this process, for a single replica. Each key holds its current
 * and previous window in one immutable record replaced atomically ({@link ConcurrentHashMap#compute}),
 * so concurrent requests on one key never lose a hit and requests on different keys never wait
 * for each other. Memory is bounded: a key whose two windows are both over is dropped by a sweep
 * (at most every {@value #SWEEP_EVERY_MILLIS} ms, run by the request that finds it due), and
 * beyond {@code maxKeys} live counters a new key is refused — answered by the failure mode, like
 * an unreachable Redis — rather than forgetting someone else's count.
 */
public final class InMemoryStore implements CounterStore {
  /** A counter takes a few hundred bytes (its key included): some 200 MB at the most. */
  public static final int DEFAULT_MAX_KEYS = 1_000_000;
  static final long SWEEP_EVERY_MILLIS = 10_000;

  /** One key's counters: window {@code index} (of length {@code windowMillis}) and the one before. */
  private record Windows(long index, long windowMillis, long current, long previous) {
    boolean expired(long nowMillis) {
      return nowMillis >= (index + 2) * windowMillis;
    }
  }

  /** Thrown (in a failed future) when {@code maxKeys} live counters exist and a new one is asked for. */
  public static final class FullException extends RuntimeException {
    FullException(int max) {
      super("the in-memory rate-limit store holds its maximum of " + max + " live counters");
    }
  }

  private final ConcurrentHashMap<String, Windows> counters = new ConcurrentHashMap<>();
  private final int maxKeys;
  private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

  public InMemoryStore() {
    this(DEFAULT_MAX_KEYS);
  }

  public InMemoryStore(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, not " + maxKeys);
    }
    this.maxKeys = maxKeys;
  }

  @Override
  public CompletableFuture<SlidingWindow.Counts> hit(String key, long limit, long windowMillis, long hits, boolean enforce, long nowMillis) {
    long due = nextSweep.get();
    if (nowMillis >= due && nextSweep.compareAndSet(due, nowMillis + SWEEP_EVERY_MILLIS)) {
      sweep(nowMillis);
    }
    if (counters.size() >= maxKeys && !counters.containsKey(key)) {
      sweep(nowMillis);
      if (counters.size() >= maxKeys) {
        return CompletableFuture.failedFuture(new FullException(maxKeys));
      }
    }
    SlidingWindow.Counts[] seen = new SlidingWindow.Counts[1];
    counters.compute(key, (k, old) -> {
      long index = SlidingWindow.index(nowMillis, windowMillis);
      long elapsed = SlidingWindow.elapsed(nowMillis, windowMillis);
      long current = 0;
      long previous = 0;
      if (old != null && old.windowMillis() == windowMillis) {
        if (old.index() >= index) {
          // the same window, or a request that read the clock a moment before another that already moved on
          elapsed = old.index() > index ? 0 : elapsed;
          index = old.index();
          current = old.current();
          previous = old.previous();
        } else if (old.index() == index - 1) {
          previous = old.current();
        }
      }
      boolean admitted = !enforce || SlidingWindow.admits(limit, windowMillis, elapsed, previous, current, hits);
      if (admitted) {
        current += hits;
      }
      seen[0] = new SlidingWindow.Counts(current, previous, admitted);
      if (current == 0 && previous == 0) {
        return null;
      }
      return new Windows(index, windowMillis, current, previous);
    });
    return CompletableFuture.completedFuture(seen[0]);
  }

  /** Drops every key whose current and previous windows are both over. */
  void sweep(long nowMillis) {
    // conditional removal: a key updated meanwhile is a different record and stays
    counters.values().removeIf(w -> w.expired(nowMillis));
  }

  /** Live counters (for tests and a gauge). */
  public int size() {
    return counters.size();
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public void close() {
    counters.clear();
  }
}
