package dev.sluice.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import org.junit.jupiter.api.Test;

/** The control plane's OpenTelemetry metrics, as Prometheus scrapes them from /metrics. */
class MetricsTest {
  @Test
  void countersGaugesAndHistogramsAppearInPrometheusText() {
    try (Telemetry t = Telemetry.withSpanExporter(InMemorySpanExporter.create())) {
      Metrics m = t.metrics();
      m.increment("sluice_xds_nacks_total", "type", "Listener");
      m.increment("sluice_xds_nacks_total", "type", "Listener");
      m.gauge("sluice_xds_connected_proxies", () -> 3);
      m.seconds("sluice_propagation_seconds", 0.042);
      m.observedCounter("sluice_registry_requests_total", () -> 7);
      String text = m.prometheus();
      assertThat(text)
          .containsPattern(
              "(?m)^sluice_xds_nacks_total\\{[^}]*type=\"Listener\"[^}]*\\} 2(\\.0)?$");
      assertThat(text).containsPattern("(?m)^sluice_xds_connected_proxies(\\{[^}]*\\})? 3(\\.0)?$");
      assertThat(text)
          .containsPattern(
              "(?m)^sluice_propagation_seconds_bucket\\{[^}]*le=\"0.05\"[^}]*\\} 1(\\.0)?$");
      assertThat(text)
          .containsPattern("(?m)^sluice_propagation_seconds_count(\\{[^}]*\\})? 1(\\.0)?$");
      assertThat(text)
          .containsPattern("(?m)^sluice_registry_requests_total(\\{[^}]*\\})? 7(\\.0)?$");
      assertThat(m.get("sluice_xds_nacks_total", "type", "Listener")).isEqualTo(2);
    }
  }
}
