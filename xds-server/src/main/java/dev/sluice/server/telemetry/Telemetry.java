package dev.sluice.server.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Map;

/**
 * The control plane's OpenTelemetry: metrics (always readable in Prometheus text at the admin
 * port's {@code /metrics}, optionally pushed over OTLP) and traces of rebuilds and pushes.
 * Configured by OpenTelemetry's standard environment variables ({@code OTEL_TRACES_EXPORTER=otlp},
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_METRICS_EXPORTER=otlp}, ...); with none set,
 * nothing is exported anywhere but {@code /metrics}.
 */
public final class Telemetry implements AutoCloseable {
  static final String SCOPE = "dev.sluice";
  private final OpenTelemetrySdk sdk;
  private final Metrics metrics;

  private Telemetry(OpenTelemetrySdk sdk, PrometheusMetricReader prometheus) {
    this.sdk = sdk;
    this.metrics = new Metrics(sdk.getMeter(SCOPE), prometheus);
  }

  /** From OTEL_* environment variables and system properties, on top of quiet defaults. */
  public static Telemetry fromEnvironment() {
    PrometheusMetricReader prometheus = PrometheusMetricReader.create();
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            // defaults only: the environment overrides them
            .addPropertiesSupplier(
                () ->
                    Map.of(
                        "otel.service.name", "sluice",
                        "otel.traces.exporter", "none",
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
            .addMeterProviderCustomizer(
                (builder, config) -> builder.registerMetricReader(prometheus))
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    return new Telemetry(sdk, prometheus);
  }

  /** Spans go to {@code spans} as they end (tests use an in-memory exporter). */
  public static Telemetry withSpanExporter(SpanExporter spans) {
    PrometheusMetricReader prometheus = PrometheusMetricReader.create();
    Resource resource =
        Resource.getDefault().merge(Resource.builder().put("service.name", "sluice").build());
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setResource(resource)
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setMeterProvider(
                SdkMeterProvider.builder()
                    .setResource(resource)
                    .registerMetricReader(prometheus)
                    .build())
            .build();
    return new Telemetry(sdk, prometheus);
  }

  public Metrics metrics() {
    return metrics;
  }

  public Tracer tracer() {
    return sdk.getTracer(SCOPE);
  }

  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  @Override
  public void close() {
    sdk.close();
  }
}
