package dev.sluice.policy.hardening;

import java.time.Duration;

/**
 * The edge listener's protective limits (Envoy's "configuring Envoy as an edge proxy" guidance).
 * {@link #DEFAULTS} is what every gateway gets; a Gateway's {@code hardening} changes single
 * values, and each relaxed one is reported as a warning.
 */
public record HardeningSpec(
    int bufferLimitBytes,
    Duration idleTimeout,
    Duration streamIdleTimeout,
    Duration requestTimeout,
    Duration requestHeadersTimeout,
    int maxConcurrentStreams,
    Underscores headersWithUnderscores,
    boolean mergeSlashes,
    EscapedSlashes escapedSlashes) {
  public static final HardeningSpec DEFAULTS =
      new HardeningSpec(
          32 * 1024,
          Duration.ofHours(1),
          Duration.ofMinutes(5),
          Duration.ofMinutes(5),
          Duration.ofSeconds(10),
          100,
          Underscores.REJECT,
          true,
          EscapedSlashes.REDIRECT);

  /** What to do with a request header whose name has an underscore. */
  public enum Underscores {
    REJECT,
    DROP,
    ALLOW
  }

  /** What to do with {@code %2F} / {@code %5C} in a path. */
  public enum EscapedSlashes {
    /** Redirect to the unescaped path, so routing and access rules see the real separators. */
    REDIRECT,
    /** Answer 400. */
    REJECT,
    /** Unescape and carry on. */
    UNESCAPE,
    /** Leave as is: the upstream may read a separator that routing and access rules did not. */
    KEEP
  }
}
