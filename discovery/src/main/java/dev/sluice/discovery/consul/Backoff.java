package dev.sluice.discovery.consul;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter between failed queries ("equal jitter": half fixed, half random),
 * so many watchers hitting a dead agent do not retry in lockstep.
 */
final class Backoff {
  private final Duration base;
  private final Duration max;
  private int failures;

  Backoff(Duration base, Duration max) {
    this.base = base;
    this.max = max;
  }

  Duration next() {
    long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(failures, 20));
    failures++;
    long half = ceiling / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
  }

  void reset() {
    failures = 0;
  }
}
