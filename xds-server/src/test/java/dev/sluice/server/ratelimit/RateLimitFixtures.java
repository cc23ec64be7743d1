package dev.sluice.server.ratelimit;

import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.ratelimit.RateLimitTable.Entry;
import dev.sluice.ratelimit.RateLimitTable.Limit;
import dev.sluice.ratelimit.RateLimitTable.Rule;
import dev.sluice.ratelimit.RateLimitTable.Unit;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Tables, requests and a clock the tests move by hand. */
final class RateLimitFixtures {
  /** Some minute boundary (2026-01-01T00:00:00Z). */
  static final long EPOCH = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  private RateLimitFixtures() {}

  static final class TestClock extends Clock {
    private final AtomicLong millis;

    TestClock(long millis) {
      this.millis = new AtomicLong(millis);
    }

    void set(long value) {
      millis.set(value);
    }

    void advance(long delta) {
      millis.addAndGet(delta);
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  static Limit perUnit(long requests, Unit unit) {
    return new Limit(requests, unit, false, false);
  }

  static Limit shadow(long requests, Unit unit) {
    return new Limit(requests, unit, false, true);
  }

  static Limit unlimited() {
    return new Limit(0, Unit.SECOND, true, false);
  }

  /**
   * A rule of {@code domain}: keys and values alternate; a null value matches any value. {@code
   * rule("edge", limit, "consumer", null, "path", "/login")}
   */
  static Rule rule(String domain, Limit limit, String... keyValues) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      entries.add(new Entry(keyValues[i], Optional.ofNullable(keyValues[i + 1])));
    }
    return new Rule(domain, entries, limit, "Route/test (policies/test.yaml:1:1)");
  }

  static RateLimitTable table(Rule... rules) {
    return new RateLimitTable(Arrays.asList(rules));
  }

  static RateLimitDescriptor descriptor(String... keyValues) {
    RateLimitDescriptor.Builder d = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      d.addEntries(
          RateLimitDescriptor.Entry.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
    }
    return d.build();
  }

  /** A request with one descriptor. */
  static RateLimitRequest request(String domain, String... keyValues) {
    return RateLimitRequest.newBuilder()
        .setDomain(domain)
        .addDescriptors(descriptor(keyValues))
        .build();
  }

  static RateLimitRequest request(String domain, RateLimitDescriptor... descriptors) {
    return RateLimitRequest.newBuilder()
        .setDomain(domain)
        .addAllDescriptors(Arrays.asList(descriptors))
        .build();
  }
}
