package dev.sluice.server.ratelimit;

import static dev.sluice.server.ratelimit.RateLimitFixtures.EPOCH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ratelimit.RateLimitTable.Limit;
import dev.sluice.ratelimit.RateLimitTable.Unit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store's bounds: counter keys, counters and bytes, and what happens at the bound.
 */
class InMemoryStoreTest {
  private static final long MINUTE = 60_000;
  private static final long NOW = EPOCH + 10_000;

  private static SlidingWindow.Counts hit(InMemoryStore store, String key, long limit) {
    return store.hit(key, limit, MINUTE, 1, true, NOW).join();
  }

  @Test
  void aLongDescriptorValueIsHashedSoTheCounterKeyIsBounded() {
    Limit limit = new Limit(10, Unit.MINUTE, false, false);
    String long1 = "/" + "a".repeat(59 * 1024);
    String long2 = "/" + "a".repeat(59 * 1024 - 1) + "b";
    String key1 = RateLimitService.counterKey("edge", List.of(Map.entry("path", long1)), limit);
    String key2 = RateLimitService.counterKey("edge", List.of(Map.entry("path", long2)), limit);
    assertThat(key1.length()).as("bounded").isLessThan(200);
    assertThat(key1).as("two values, two counters").isNotEqualTo(key2);
    assertThat(RateLimitService.counterKey("edge", List.of(Map.entry("path", long1)), limit))
        .as("one value, one counter")
        .isEqualTo(key1);
    String shortOne = "/" + "a".repeat(RateLimitService.MAX_VALUE_BYTES - 1);
    assertThat(RateLimitService.counterKey("edge", List.of(Map.entry("path", shortOne)), limit))
        .as("values up to the bound are kept as they are")
        .isEqualTo("edge|path=" + shortOne + "|minute");
    // no value as it is can take the counter of a hashed one
    String hashed = key1.substring("edge|path=".length(), key1.length() - "|minute".length());
    assertThat(RateLimitService.counterKey("edge", List.of(Map.entry("path", hashed)), limit))
        .isNotEqualTo(key1);
  }

  @Test
  void aNewKeyInAFullStoreIsCountedAndTheLeastRecentlyUsedGoes() {
    InMemoryStore store = new InMemoryStore(3);
    hit(store, "a", 1);
    hit(store, "b", 1);
    hit(store, "c", 1);
    hit(store, "a", 5); // a is now the most recently used: b goes first
    assertThat(hit(store, "d", 1).admitted()).as("a new key is counted").isTrue();
    assertThat(hit(store, "d", 1).admitted()).as("and its limit holds").isFalse();
    assertThat(store.size()).isEqualTo(3);
    assertThat(hit(store, "a", 3).admitted()).as("a kept its count of 2").isTrue();
    assertThat(hit(store, "a", 3).admitted()).isFalse();
    assertThat(hit(store, "b", 1).admitted()).as("b was forgotten: counted from zero").isTrue();
  }

  @Test
  void aValueOfMultiByteCharactersIsMeasuredInBytes() {
    assertThat(RateLimitService.utf8Longer("é".repeat(128), 256)).isFalse();
    assertThat(RateLimitService.utf8Longer("é".repeat(129), 256)).isTrue();
    assertThat(RateLimitService.utf8Longer("€".repeat(86), 256)).isTrue();
    assertThat(RateLimitService.utf8Longer("a".repeat(256), 256)).isFalse();
  }

  @Test
  void theBytesHeldNeverExceedTheBudgetAndTheOldestGoFirst() {
    long budget = 64 * 1024;
    InMemoryStore store = new InMemoryStore(InMemoryStore.DEFAULT_MAX_KEYS, budget);
    String pad = "x".repeat(1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(hit(store, i + pad, 1).admitted()).as("key %d is counted", i).isTrue();
      assertThat(store.bytes()).isLessThanOrEqualTo(budget);
    }
    long each = InMemoryStore.cost(0 + pad);
    assertThat(store.bytes())
        .as("the budget is used, not just a part of it")
        .isGreaterThan(budget - 2 * each);
    int held = store.size();
    assertThat(held).isEqualTo((int) (store.bytes() / each));
    assertThat(store.evictions()).isEqualTo(1000 - held);
    // the newest are the ones held: each is at its limit, the oldest were forgotten
    assertThat(hit(store, 999 + pad, 1).admitted()).isFalse();
    assertThat(hit(store, (1000 - held) + pad, 1).admitted()).isFalse();
    assertThat(hit(store, 0 + pad, 1).admitted()).as("the oldest was evicted").isTrue();
  }

  @Test
  void aMillionNewKeysAtTheBoundEachEvictOneAndAreEachCounted() {
    int max = 10_000;
    InMemoryStore store = new InMemoryStore(max, InMemoryStore.DEFAULT_MAX_BYTES);
    for (int i = 0; i < 1_000_000; i++) {
      SlidingWindow.Counts counts = hit(store, "k" + i, 1);
      if (!counts.admitted() || counts.current() != 1) {
        throw new AssertionError("key " + i + " was not counted: " + counts);
      }
    }
    assertThat(store.size()).isEqualTo(max);
    assertThat(store.evictions()).isEqualTo(1_000_000 - max);
    assertThat(store.bytes()).isEqualTo(max * InMemoryStore.cost("k999999"));
    assertThat(hit(store, "k999999", 1).admitted()).isFalse();
    assertThat(hit(store, "k990000", 1).admitted()).as("the oldest held, still counted").isFalse();
    assertThat(hit(store, "k989999", 1).admitted()).as("evicted: counted from zero").isTrue();
  }

  @Test
  void expiredCountersLeaveFromTheOldEndWithoutASweep() {
    InMemoryStore store = new InMemoryStore(100);
    store.hit("a", 5, 1000, 1, true, NOW).join();
    store.hit("b", 5, 1000, 1, true, NOW).join();
    store.hit("c", 5, 1000, 1, true, NOW + 1000).join();
    assertThat(store.size()).isEqualTo(3);
    long bytes = store.bytes();
    store.hit("d", 5, 1000, 1, true, NOW + 2000).join();
    assertThat(store.size()).as("a and b are two windows old: dropped").isEqualTo(2);
    assertThat(store.bytes())
        .isEqualTo(
            bytes - InMemoryStore.cost("a") - InMemoryStore.cost("b") + InMemoryStore.cost("d"));
    assertThat(store.hit("c", 1, 1000, 1, true, NOW + 2000).join())
        .as("c still weighs in the next window")
        .isEqualTo(new SlidingWindow.Counts(0, 1, false));
  }

  @Test
  void aKeyLargerThanTheWholeBudgetIsRefusedAndNothingIsEvicted() {
    InMemoryStore store = new InMemoryStore(100, 4096);
    hit(store, "a", 1);
    assertThat(store.hit("x".repeat(4096), 1, MINUTE, 1, true, NOW)).isCompletedExceptionally();
    assertThat(store.size()).isEqualTo(1);
  }
}
