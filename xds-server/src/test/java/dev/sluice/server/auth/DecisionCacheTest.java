package dev.sluice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DecisionCacheTest {
  final AtomicLong now = new AtomicLong();
  final DecisionCache cache = new DecisionCache(Duration.ofSeconds(30), 2, now::get);

  static DecisionCache.Key key(String name) {
    return new DecisionCache.Key("sha256:00", new Claim(Claim.Kind.SERVICE, name));
  }

  @Test
  void aDecisionIsFreshForOneTtlFromWhenItWasAskedFor() {
    cache.put(key("a"), Decision.allow("t"), now.get());
    now.set(Duration.ofSeconds(30).toNanos() - 1);
    assertThat(cache.fresh(key("a"))).hasValue(Decision.allow("t"));
    now.set(Duration.ofSeconds(30).toNanos());
    assertThat(cache.fresh(key("a"))).isEmpty();
  }

  @Test
  void theOldestEntryIsEvictedFirstAndARefreshedOneCountsAsNew() {
    cache.put(key("a"), Decision.allow("t"), 0);
    cache.put(key("b"), Decision.allow("t"), 0);
    cache.put(key("a"), Decision.allow("t"), 1);
    cache.put(key("c"), Decision.allow("t"), 2);
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.fresh(key("b"))).isEmpty();
    assertThat(cache.fresh(key("a"))).isPresent();
    assertThat(cache.fresh(key("c"))).isPresent();
  }
}
