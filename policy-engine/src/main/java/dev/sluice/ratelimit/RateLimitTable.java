package dev.sluice.ratelimit;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The service side of global rate limits: which limit applies to a descriptor Envoy sends. The
 * policy engine builds it from the same IR as the Envoy side (the route's {@code rate_limits}
 * actions), so the two never disagree; the rate-limit service only reads it. No Envoy types.
 *
 * @param rules every rule, in the order they are tried: the most specific first (most entries with
 *     a fixed value), then as written
 */
public record RateLimitTable(List<Rule> rules) {
  public static final RateLimitTable EMPTY = new RateLimitTable(List.of());

  public RateLimitTable {
    rules = rules.stream().sorted(Comparator.comparingInt(Rule::fixedValues).reversed()).toList();
  }

  /**
   * One limit for the descriptors of one shape.
   *
   * @param domain the rate-limit domain (one per gateway)
   * @param entries the descriptor's keys in order, each with a fixed value or none (any value:
   *     every value has a counter of its own)
   * @param policy the policy that wrote it, such as {@code Route/login (policies/r.yaml:3:1)}
   * @param failOpen what to answer when the counters cannot be reached: allow (true), or fail the
   *     call so that Envoy refuses the request with its gateway's failureStatus (the filter's
   *     {@code status_on_error}); empty: the service's own setting
   */
  public record Rule(
      String domain, List<Entry> entries, Limit limit, String policy, Optional<Boolean> failOpen) {
    public Rule {
      entries = List.copyOf(entries);
    }

    public Rule(String domain, List<Entry> entries, Limit limit, String policy) {
      this(domain, entries, limit, policy, Optional.empty());
    }

    int fixedValues() {
      return (int) entries.stream().filter(e -> e.value().isPresent()).count();
    }

    /** Whether a request descriptor (key → value pairs, in order) has this rule's shape. */
    public boolean matches(String domain, List<Map.Entry<String, String>> descriptor) {
      if (!this.domain.equals(domain) || descriptor.size() != entries.size()) {
        return false;
      }
      for (int i = 0; i < entries.size(); i++) {
        Entry e = entries.get(i);
        Map.Entry<String, String> d = descriptor.get(i);
        if (!e.key().equals(d.getKey())
            || e.value().map(v -> !v.equals(d.getValue())).orElse(false)) {
          return false;
        }
      }
      return true;
    }
  }

  /** A descriptor entry: its key, and the value it must have (empty: any value). */
  public record Entry(String key, Optional<String> value) {}

  /**
   * {@code requests} per {@code unit}; {@code unlimited} never limits (an exception inside a wider
   * rule); {@code shadow} counts and reports but never blocks.
   */
  public record Limit(long requests, Unit unit, boolean unlimited, boolean shadow) {}

  /** Window lengths; a month is 30 days. */
  public enum Unit {
    SECOND(Duration.ofSeconds(1)),
    MINUTE(Duration.ofMinutes(1)),
    HOUR(Duration.ofHours(1)),
    DAY(Duration.ofDays(1)),
    MONTH(Duration.ofDays(30));

    private final Duration length;

    Unit(Duration length) {
      this.length = length;
    }

    public Duration length() {
      return length;
    }
  }

  /** The rule for a request descriptor: the most specific that matches. */
  public Optional<Rule> match(String domain, List<Map.Entry<String, String>> descriptor) {
    return rules.stream().filter(r -> r.matches(domain, descriptor)).findFirst();
  }
}
