package dev.sluice.server.auth;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Decisions of a remote credential source by token digest and claim, each used for one TTL from the
 * moment it was asked for. At most {@code maxEntries}: the oldest is evicted first. Holds digests
 * only, so a heap dump gives nobody a token.
 */
final class DecisionCache {
  /** A token's SHA-256 ({@code sha256:<hex>}) and what it was asked to grant. */
  record Key(String tokenDigest, Claim claim) {}

  private record Entry(Decision decision, long askedAt) {}

  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final Map<Key, Entry> entries;

  DecisionCache(Duration ttl, int maxEntries, LongSupplier nanoTime) {
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
    this.entries =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /** The decision for {@code key} if it was asked for less than a TTL ago. */
  synchronized Optional<Decision> fresh(Key key) {
    Entry e = entries.get(key);
    return e != null && nanoTime.getAsLong() - e.askedAt() < ttlNanos
        ? Optional.of(e.decision())
        : Optional.empty();
  }

  /**
   * Keeps {@code decision}, dated when it was asked for (not when the answer came): a check made
   * one TTL later then always asks again, however slow the answer was.
   */
  synchronized void put(Key key, Decision decision, long askedAt) {
    entries.remove(key); // a refreshed entry becomes the newest, last to be evicted
    entries.put(key, new Entry(decision, askedAt));
  }

  synchronized int size() {
    return entries.size();
  }
}
