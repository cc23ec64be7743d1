package dev.sluice.policy.telemetry;

import dev.sluice.policy.Source;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a gateway's Envoys report about the traffic they carry: access logs, traces sent to an
 * OpenTelemetry collector, and Envoy's own statistics for Prometheus. Each part is off unless
 * written.
 *
 * @param accessLog one line per request, written by Envoy to a file
 * @param tracing spans sent over OTLP/gRPC to a collector
 * @param prometheus a listener that serves Envoy's statistics in Prometheus' text format ({@code
 *     metrics.prometheus})
 * @param at where {@code telemetry} is written, for tracing a NACK back to the policy
 */
public record TelemetrySpec(
    Optional<AccessLog> accessLog,
    Optional<Tracing> tracing,
    Optional<Prometheus> prometheus,
    Source at) {
  /**
   * @param path the file Envoy appends to ({@code /dev/stdout} by default)
   * @param fields for {@link Format#JSON}: the JSON object of each line, key → Envoy format string,
   *     in the order written
   * @param line for {@link Format#TEXT}: the format string of each line, ending with a newline
   * @param inputs every request or response header and query parameter the format writes, for the
   *     checks that no credential configured elsewhere (API-key header, token source) is logged
   */
  public record AccessLog(
      Format format,
      String path,
      Map<String, String> fields,
      String line,
      List<LoggedInput> inputs) {
    public AccessLog {
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
      inputs = List.copyOf(inputs);
    }

    public enum Format {
      JSON,
      TEXT
    }
  }

  /**
   * A header or query parameter an access-log format writes.
   *
   * @param name lower case for headers
   * @param field the field path where it is written, e.g. {@code telemetry.accessLog.fields.tenant}
   */
  public record LoggedInput(Kind kind, String name, Source at, String field) {
    public enum Kind {
      REQUEST_HEADER,
      RESPONSE_HEADER,
      RESPONSE_TRAILER,
      QUERY_PARAMETER
    }
  }

  /**
   * @param collectorHost host name or IP address of the OTLP/gRPC collector (no brackets for IPv6)
   * @param collectorPort its port (4317 by default)
   * @param serviceName the {@code service.name} of the spans (the gateway's name by default)
   * @param samplingPercent the share of requests traced, 0..100
   */
  public record Tracing(
      String collectorHost, int collectorPort, String serviceName, double samplingPercent) {}

  /**
   * @param address the address the statistics listener binds (the gateway's by default)
   * @param port its port
   * @param path the only path it answers ({@code /stats/prometheus} by default)
   */
  public record Prometheus(String address, int port, String path) {}
}
