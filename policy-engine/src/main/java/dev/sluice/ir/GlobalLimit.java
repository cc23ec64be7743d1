package dev.sluice.ir;

import dev.sluice.ratelimit.RateLimitTable;
import java.util.List;
import java.util.Optional;

/**
 * One global limit on a route: the descriptor Envoy builds for each request (entry by entry, from
 * where each value comes) and the limit the rate-limit service applies to it. Both sides are made
 * from this one record, so they cannot disagree.
 *
 * @param policy such as {@code Route/login (policies/r.yaml:3:1)}
 */
public record GlobalLimit(List<Entry> descriptor, RateLimitTable.Limit limit, String policy) {
  public GlobalLimit {
    descriptor = List.copyOf(descriptor);
  }

  /** Where Envoy takes an entry's value from. */
  public enum From {
    /** A fixed value: the route's name, so counters are per route. */
    ROUTE,
    /** The client address (after trusted hops). */
    CLIENT_IP,
    /** A request header ({@code name}); also the consumer and the method. */
    HEADER,
    /**
     * The request's path without its query string: {@code :path} would give every query string a
     * counter of its own, so a per-path limit could be dodged with {@code ?x=1}, {@code ?x=2}…
     */
    PATH,
    /** A claim ({@code name}) of the valid JWT. */
    CLAIM
  }

  /**
   * @param key the descriptor key the service sees
   * @param value for {@link From#ROUTE} the route name; otherwise, when present, the rule counts
   *     only requests with this value
   */
  public record Entry(From from, String name, String key, Optional<String> value) {}

  /** The descriptor's shape: what Envoy must send, whatever the values. */
  public List<String> shape() {
    return descriptor.stream()
        .map(
            e ->
                e.from()
                    + ":"
                    + e.name()
                    + ":"
                    + e.key()
                    + (e.from() == From.ROUTE ? "=" + e.value().orElse("") : ""))
        .toList();
  }

  /**
   * The service side: this limit as a rule of {@code domain}, failing open or closed as the gateway
   * says.
   */
  public RateLimitTable.Rule rule(String domain, boolean failOpen) {
    return new RateLimitTable.Rule(
        domain,
        descriptor.stream().map(e -> new RateLimitTable.Entry(e.key(), e.value())).toList(),
        limit,
        policy,
        Optional.of(failOpen));
  }
}
