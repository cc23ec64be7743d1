package dev.sluice.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counters and gauges exposed at {@code /metrics} in Prometheus text format. Deliberately tiny
 * until the OpenTelemetry issue wires the SDK; names already follow its conventions.
 */
public final class Metrics {
  private final Map<String, AtomicLong> counters = new ConcurrentSkipListMap<>();
  private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

  public void increment(String name, String... labels) {
    counters.computeIfAbsent(key(name, labels), k -> new AtomicLong()).incrementAndGet();
  }

  public long get(String name, String... labels) {
    AtomicLong v = counters.get(key(name, labels));
    return v == null ? 0 : v.get();
  }

  public void gauge(String name, LongSupplier supplier) {
    gauges.put(name, supplier);
  }

  private static String key(String name, String... labels) {
    if (labels.length == 0) {
      return name;
    }
    StringBuilder sb = new StringBuilder(name).append('{');
    for (int i = 0; i + 1 < labels.length; i += 2) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(labels[i]).append("=\"").append(labels[i + 1].replace("\"", "\\\"")).append('"');
    }
    return sb.append('}').toString();
  }

  public String prometheus() {
    StringBuilder sb = new StringBuilder();
    counters.forEach((k, v) -> sb.append(k).append(' ').append(v.get()).append('\n'));
    new ConcurrentSkipListMap<>(gauges).forEach((k, v) -> sb.append(k).append(' ').append(v.getAsLong()).append('\n'));
    return sb.toString();
  }
}
