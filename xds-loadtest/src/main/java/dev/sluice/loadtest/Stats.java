package dev.sluice.loadtest;

import java.util.Arrays;
import java.util.Locale;

/** Latencies over streams, in milliseconds: nearest-rank percentiles. */
record Stats(int count, double firstMs, double p50Ms, double p99Ms, double maxMs) {

  static Stats ofNanos(long[] nanos) {
    if (nanos.length == 0) {
      return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Stats(
        sorted.length,
        ms(sorted[0]),
        ms(rank(sorted, 0.50)),
        ms(rank(sorted, 0.99)),
        ms(sorted[sorted.length - 1]));
  }

  private static long rank(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** {@code first_ms=.. p50_ms=.. p99_ms=.. max_ms=..}, one decimal. */
  String format() {
    return String.format(
        Locale.ROOT,
        "first_ms=%.1f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f",
        firstMs,
        p50Ms,
        p99Ms,
        maxMs);
  }
}
