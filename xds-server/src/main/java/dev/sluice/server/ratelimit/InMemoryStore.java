package dev.sluice.server.ratelimit;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The default store: counters in this process, for a single replica. Each key holds its current and
 * previous window in one record, in an access-ordered map (least recently used first) under one
 * lock; a step is a lookup and a replacement, microseconds.
 *
 * <p>Memory is bounded twice: at most {@code maxKeys} counters and at most {@code maxBytes} of
 * counters, each counted as {@link #cost(String) what it takes on the heap} (its key, two bytes a
 * character, plus {@value #ENTRY_OVERHEAD} bytes of map entry, record and string headers). A new
 * key that does not fit evicts the least recently used counters until it does, each in O(1): a new
 * key is always counted, and what is forgotten is the counter nobody asked about for the longest
 * time. Counters whose two windows are over go the same way, and earlier: each step drops up to two
 * of them from the old end. Nothing ever walks every counter.
 *
 * <p>The keys themselves are bounded by {@link RateLimitService#counterKey}, which hashes long
 * descriptor values.
 */
public final class InMemoryStore implements CounterStore {
  /** Live counters at most, by default. */
  public static final int DEFAULT_MAX_KEYS = 1_000_000;

  /** Bytes of counters at most, by default: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  /**
   * What a counter takes besides its key's characters (a LinkedHashMap entry and its bucket, the
   * record of two windows, the key's String and array headers), rounded up.
   */
  static final int ENTRY_OVERHEAD = 160;

  /** Expired counters dropped from the old end per step at most (amortised: each goes once). */
  private static final int EXPIRED_PER_STEP = 2;

  /**
   * One key's counters: window {@code index} (of length {@code windowMillis}) and the one before.
   */
  private record Windows(long index, long windowMillis, long current, long previous) {
    boolean expired(long nowMillis) {
      return nowMillis >= (index + 2) * windowMillis;
    }
  }

  /** Thrown (in a failed future) for a key that alone is larger than the store's byte budget. */
  public static final class FullException extends RuntimeException {
    FullException(long cost, long max) {
      super(
          "a rate-limit counter of "
              + cost
              + " bytes does not fit in the in-memory store's "
              + max
              + " bytes");
    }
  }

  /** Guarded by {@code this}. Access order: the least recently used counter first. */
  private final LinkedHashMap<String, Windows> counters = new LinkedHashMap<>(16, 0.75f, true);

  private final int maxKeys;
  private final long maxBytes;
  private long bytes;
  private long evictions;

  public InMemoryStore() {
    this(DEFAULT_MAX_KEYS, DEFAULT_MAX_BYTES);
  }

  public InMemoryStore(int maxKeys) {
    this(maxKeys, DEFAULT_MAX_BYTES);
  }

  public InMemoryStore(int maxKeys, long maxBytes) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, not " + maxKeys);
    }
    if (maxBytes < 1024) {
      throw new IllegalArgumentException(
          "the store's byte budget must be at least 1024, not " + maxBytes);
    }
    this.maxKeys = maxKeys;
    this.maxBytes = maxBytes;
  }

  /** The bytes a counter of {@code key} is counted as. */
  static long cost(String key) {
    return ENTRY_OVERHEAD + 2L * key.length();
  }

  @Override
  public CompletableFuture<SlidingWindow.Counts> hit(
      String key, long limit, long windowMillis, long hits, boolean enforce, long nowMillis) {
    long cost = cost(key);
    if (cost > maxBytes) {
      return CompletableFuture.failedFuture(new FullException(cost, maxBytes));
    }
    long index = SlidingWindow.index(nowMillis, windowMillis);
    long elapsed = SlidingWindow.elapsed(nowMillis, windowMillis);
    SlidingWindow.Counts seen;
    synchronized (this) {
      dropExpired(nowMillis);
      Windows old = counters.get(key); // the most recently used from now on
      long current = 0;
      long previous = 0;
      if (old != null && old.windowMillis() == windowMillis) {
        if (old.index() >= index) {
          // the same window, or a request that read the clock a moment before another that already
          // moved on
          elapsed = old.index() > index ? 0 : elapsed;
          index = old.index();
          current = old.current();
          previous = old.previous();
        } else if (old.index() == index - 1) {
          previous = old.current();
        }
      }
      boolean admitted =
          !enforce || SlidingWindow.admits(limit, windowMillis, elapsed, previous, current, hits);
      if (admitted) {
        current += hits;
      }
      seen = new SlidingWindow.Counts(current, previous, admitted);
      if (current == 0 && previous == 0) {
        if (old != null) {
          counters.remove(key);
          bytes -= cost;
        }
      } else if (old != null) {
        counters.put(key, new Windows(index, windowMillis, current, previous));
      } else {
        makeRoom(cost);
        counters.put(key, new Windows(index, windowMillis, current, previous));
        bytes += cost;
      }
    }
    return CompletableFuture.completedFuture(seen);
  }

  /**
   * Evicts the least recently used counters until one more of {@code cost} bytes fits. Holds the
   * lock.
   */
  private void makeRoom(long cost) {
    Iterator<Map.Entry<String, Windows>> eldest = counters.entrySet().iterator();
    while ((counters.size() >= maxKeys || bytes + cost > maxBytes) && eldest.hasNext()) {
      bytes -= cost(eldest.next().getKey());
      eldest.remove();
      evictions++;
    }
  }

  /**
   * Drops up to {@value #EXPIRED_PER_STEP} counters from the old end whose windows are both over.
   * Holds the lock.
   */
  private void dropExpired(long nowMillis) {
    Iterator<Map.Entry<String, Windows>> eldest = counters.entrySet().iterator();
    for (int i = 0; i < EXPIRED_PER_STEP && eldest.hasNext(); i++) {
      Map.Entry<String, Windows> e = eldest.next();
      if (!e.getValue().expired(nowMillis)) {
        return;
      }
      bytes -= cost(e.getKey());
      eldest.remove();
    }
  }

  /** Live counters (for tests and a gauge). */
  public synchronized int size() {
    return counters.size();
  }

  /**
   * Bytes of counters held, as counted against the budget ({@code sluice_ratelimit_store_bytes}).
   */
  public synchronized long bytes() {
    return bytes;
  }

  /**
   * Counters evicted to make room since the start ({@code sluice_ratelimit_store_evictions_total}).
   */
  public synchronized long evictions() {
    return evictions;
  }

  public long maxBytes() {
    return maxBytes;
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public synchronized void close() {
    counters.clear();
    bytes = 0;
  }
}
