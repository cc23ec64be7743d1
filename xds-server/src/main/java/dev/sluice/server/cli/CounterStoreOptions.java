package dev.sluice.server.cli;

import dev.sluice.server.ratelimit.FailureMode;
import dev.sluice.server.ratelimit.InMemoryStore;
import dev.sluice.server.ratelimit.RateLimitOptions;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How the global rate-limit service counts, for {@code sluice serve} and {@code sluice ratelimit}:
 * in memory or in Redis, how long one count may take, and what answers when it cannot.
 */
final class CounterStoreOptions {
  @Option(
      names = "--redis",
      paramLabel = "URI",
      description =
          "Count global limits in Redis, shared by every replica: redis://[:password@]host:port[/db]. Default: in memory (one replica).")
  String redis;

  @Option(
      names = "--ratelimit-store-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long one counter update may take before the failure mode answers (default: 100ms); keep it below Envoy's ratelimit filter timeout.")
  Duration storeTimeout = RateLimitOptions.DEFAULT_STORE_TIMEOUT;

  @Option(
      names = "--ratelimit-failure-mode",
      paramLabel = "MODE",
      converter = FailureModeConverter.class,
      description =
          "When the store cannot be reached: open (allow), closed (OVER_LIMIT: 429) or unavailable (a gRPC error: Envoy's own failure mode decides). Default: open.")
  FailureMode failureMode = FailureMode.OPEN;

  @Option(
      names = "--ratelimit-max-counters",
      paramLabel = "COUNT",
      description = "The in-memory store's bound on live counters (default: 1000000).")
  int maxCounters = InMemoryStore.DEFAULT_MAX_KEYS;

  @Option(
      names = "--ratelimit-max-counter-bytes",
      paramLabel = "SIZE",
      converter = BytesConverter.class,
      description =
          "The in-memory store's bound on the bytes of its counters, e.g. 64MiB (default: 64MiB); the least recently used go first.")
  long maxCounterBytes = InMemoryStore.DEFAULT_MAX_BYTES;

  // The short names sluice ratelimit also answers to: hidden, so that help shows one name each.
  // Both names write one field, so the last one given wins. The defaults are the fields' initial
  // values, not picocli defaults: picocli applies those after parsing to every name not given,
  // which would overwrite what a short name set.

  @Option(names = "--store-timeout", hidden = true, converter = DurationConverter.class)
  void storeTimeoutAlias(Duration timeout) {
    storeTimeout = timeout;
  }

  @Option(names = "--failure-mode", hidden = true, converter = FailureModeConverter.class)
  void failureModeAlias(FailureMode mode) {
    failureMode = mode;
  }

  @Option(names = "--max-counters", hidden = true)
  void maxCountersAlias(int max) {
    maxCounters = max;
  }

  @Option(names = "--max-counter-bytes", hidden = true, converter = BytesConverter.class)
  void maxCounterBytesAlias(long max) {
    maxCounterBytes = max;
  }

  RateLimitOptions options() {
    return new RateLimitOptions(
        Optional.ofNullable(redis), storeTimeout, failureMode, maxCounters, maxCounterBytes);
  }
}
