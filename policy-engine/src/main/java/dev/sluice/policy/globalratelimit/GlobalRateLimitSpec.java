package dev.sluice.policy.globalratelimit;

import dev.sluice.policy.HostPort;
import dev.sluice.ratelimit.RateLimitTable.Unit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Limits shared by every Envoy of a gateway, counted by Sluice's rate-limit service.
 *
 * @param failOpen when the service (or its Redis) cannot answer: let requests through (true) or
 *     refuse them; only a Gateway sets it
 * @param failureStatus the status of a request refused because the service (or its Redis) cannot
 *     answer, 429 or 503; only a Gateway sets it, and it matters only when not failing open
 * @param timeout how long Envoy waits for the service; only a Gateway sets it
 * @param service where the gateway's Envoys reach the service, through a cluster Sluice sends them;
 *     empty: through their bootstrap's {@code sluice_ratelimit} cluster; only a Gateway sets it
 * @param rules the limits, each counted on its own
 */
public record GlobalRateLimitSpec(
    Optional<Boolean> failOpen,
    Optional<Integer> failureStatus,
    Optional<Duration> timeout,
    Optional<HostPort> service,
    List<Rule> rules) {
  /**
   * What a fail-closed gateway answers when the limits cannot be checked, unless it says otherwise.
   */
  public static final int DEFAULT_FAILURE_STATUS = 429;

  /**
   * The port of {@code sluice serve --ratelimit-port} and {@code sluice ratelimit --ratelimit-port}
   * by default.
   */
  public static final int DEFAULT_SERVICE_PORT = 18002;

  public GlobalRateLimitSpec {
    rules = List.copyOf(rules);
  }

  /**
   * @param requests per {@code unit}; empty when the rule is {@code unlimited}
   * @param by what tells the counters apart, in order; a key with a value counts only requests with
   *     that value
   * @param shadow count and report, never block
   */
  public record Rule(Optional<Long> requests, Unit unit, List<Key> by, boolean shadow, int index) {
    public Rule {
      by = List.copyOf(by);
    }
  }

  /**
   * A descriptor key.
   *
   * @param name the header or claim name for {@code HEADER} and {@code CLAIM}, else empty
   * @param value when present, the rule applies only to this value
   */
  public record Key(Type type, String name, Optional<String> value) {
    public enum Type {
      CLIENT_IP,
      CONSUMER,
      PATH,
      METHOD,
      HEADER,
      CLAIM
    }
  }
}
