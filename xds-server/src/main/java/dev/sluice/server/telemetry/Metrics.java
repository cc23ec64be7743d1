package dev.sluice.server.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The control plane's metrics, as OpenTelemetry instruments. Names are Prometheus-style ({@code
 * sluice_xds_nacks_total}) and labels come in name/value pairs. {@link #get} reads a counter back
 * (the admin API and tests use it).
 */
public final class Metrics {
  /** Propagation and push times: from 1 ms to a minute. */
  private static final List<Double> SECONDS_BUCKETS =
      List.of(
          0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);

  private final Meter meter;
  private final PrometheusMetricReader prometheus;
  private final Map<String, LongCounter> counters = new ConcurrentHashMap<>();
  private final Map<String, DoubleHistogram> histograms = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

  Metrics(Meter meter, PrometheusMetricReader prometheus) {
    this.meter = meter;
    this.prometheus = prometheus;
  }

  public void increment(String name, String... labels) {
    counters.computeIfAbsent(name, n -> meter.counterBuilder(n).build()).add(1, attributes(labels));
    values.computeIfAbsent(key(name, labels), k -> new AtomicLong()).incrementAndGet();
  }

  public long get(String name, String... labels) {
    AtomicLong v = values.get(key(name, labels));
    return v == null ? 0 : v.get();
  }

  public void gauge(String name, LongSupplier supplier) {
    meter.gaugeBuilder(name).ofLongs().buildWithCallback(m -> m.record(supplier.getAsLong()));
  }

  /** A count kept elsewhere that only grows (exported as a Prometheus counter). */
  public void observedCounter(String name, LongSupplier supplier) {
    meter.counterBuilder(name).buildWithCallback(m -> m.record(supplier.getAsLong()));
  }

  /**
   * A duration in seconds, into a histogram named {@code name} (which ends in {@code _seconds}).
   */
  public void seconds(String name, double seconds, String... labels) {
    histograms
        .computeIfAbsent(
            name,
            n ->
                meter
                    .histogramBuilder(n)
                    .setUnit("s")
                    .setExplicitBucketBoundariesAdvice(SECONDS_BUCKETS)
                    .build())
        .record(seconds, attributes(labels));
  }

  private static Attributes attributes(String... labels) {
    AttributesBuilder b = Attributes.builder();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      b.put(labels[i], labels[i + 1]);
    }
    return b.build();
  }

  private static String key(String name, String... labels) {
    return name + String.join("\u0000", labels);
  }

  /** Every metric in Prometheus' text format, for {@code /metrics}. */
  public String prometheus() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, prometheus.collect());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
