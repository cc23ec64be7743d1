package dev.sluice.policy.telemetry;

import dev.sluice.policy.HostPort;
import dev.sluice.policy.Source;
import dev.sluice.policy.telemetry.TelemetrySpec.AccessLog;
import dev.sluice.policy.telemetry.TelemetrySpec.LoggedInput;
import dev.sluice.policy.telemetry.TelemetrySpec.Prometheus;
import dev.sluice.policy.telemetry.TelemetrySpec.Tracing;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 *
 *
 * <pre>
 * telemetry:
 *   accessLog:                     # off when absent; {} for the defaults
 *     format: json                 # json (default) or text
 *     path: /dev/stdout            # default /dev/stdout
 *     fields: {status: "%RESPONSE_CODE%", path: "%PATH(NQ)%"}   # json: replaces the default fields
 *     line: "%RESPONSE_CODE% %PATH(NQ)%"                         # text: replaces the default line
 *   tracing:
 *     collector: otel-collector:4317   # required; OTLP over gRPC (port 4317 by default)
 *     serviceName: edge                # default: the gateway's name
 *     sampling: 10                     # percent of requests, default 100
 *   metrics:
 *     prometheus: {port: 9102, path: /stats/prometheus, address: 0.0.0.0}   # port required
 * </pre>
 *
 * Formats are Envoy's command operators; the ones that would write credentials (Authorization,
 * cookies, API keys, query strings) are refused.
 */
public final class Telemetry {
  /** The OTLP/gRPC port collectors listen on by default. */
  public static final int OTLP_GRPC_PORT = 4317;

  public static final String DEFAULT_LOG_PATH = "/dev/stdout";
  public static final String DEFAULT_PROMETHEUS_PATH = "/stats/prometheus";
  public static final double DEFAULT_SAMPLING = 100;

  /** The path without its query string: the query may carry a token. */
  static final String PATH = "%PATH(NQ:ORIG_OR_PATH)%";

  /**
   * What one JSON line holds unless {@code fields} says otherwise; never a credential or a query
   * string.
   */
  public static final Map<String, String> DEFAULT_FIELDS = defaultFields();

  /** Envoy's default line, with the path without its query string, the cluster and the route. */
  public static final String DEFAULT_LINE =
      "[%START_TIME%] \"%REQ(:METHOD)% "
          + PATH
          + " %PROTOCOL%\" %RESPONSE_CODE%"
          + " %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%"
          + " \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\""
          + " \"%UPSTREAM_HOST%\" %UPSTREAM_CLUSTER% %ROUTE_NAME%\n";

  private static final Pattern URL_PATH = Pattern.compile("^/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$");

  private Telemetry() {}

  private static Map<String, String> defaultFields() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("start_time", "%START_TIME%");
    m.put("method", "%REQ(:METHOD)%");
    m.put("path", PATH);
    m.put("protocol", "%PROTOCOL%");
    m.put("status", "%RESPONSE_CODE%");
    m.put("response_flags", "%RESPONSE_FLAGS%");
    m.put("response_code_details", "%RESPONSE_CODE_DETAILS%");
    m.put("bytes_received", "%BYTES_RECEIVED%");
    m.put("bytes_sent", "%BYTES_SENT%");
    m.put("duration_ms", "%DURATION%");
    m.put("upstream_service_time", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%");
    m.put("upstream_host", "%UPSTREAM_HOST%");
    m.put("upstream_cluster", "%UPSTREAM_CLUSTER%");
    m.put("client_address", "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%");
    m.put("x_forwarded_for", "%REQ(X-FORWARDED-FOR)%");
    m.put("user_agent", "%REQ(USER-AGENT)%");
    m.put("request_id", "%REQ(X-REQUEST-ID)%");
    m.put("authority", "%REQ(:AUTHORITY)%");
    m.put("route", "%ROUTE_NAME%");
    return Collections.unmodifiableMap(m);
  }

  /**
   * @param gateway the gateway's name: the default service name of its spans
   * @param address the gateway's listener address: the default of the statistics listener
   * @param port the gateway's listener port, which the statistics listener cannot share
   */
  public static Optional<TelemetrySpec> read(
      YamlNode n, Fields f, String gateway, String address, int port) {
    if (n.isAbsent() || !f.object(n, Set.of("accessLog", "tracing", "metrics"))) {
      return Optional.empty();
    }
    Optional<Tracing> tracing = tracing(n.get("tracing"), f, gateway);
    Optional<AccessLog> accessLog = accessLog(n.get("accessLog"), f, tracing.isPresent());
    Optional<Prometheus> prometheus = metrics(n.get("metrics"), f, address, port);
    return Optional.of(
        new TelemetrySpec(accessLog, tracing, prometheus, new Source(n.file(), n.position())));
  }

  private static Optional<AccessLog> accessLog(YamlNode n, Fields f, boolean tracing) {
    if (n.isAbsent() || !f.object(n, Set.of("format", "path", "fields", "line"))) {
      return Optional.empty();
    }
    AccessLog.Format format = AccessLog.Format.JSON;
    Optional<String> written = f.string(n.get("format"));
    if (written.isPresent()) {
      switch (written.get()) {
        case "json" -> format = AccessLog.Format.JSON;
        case "text" -> format = AccessLog.Format.TEXT;
        default -> f.error(n.get("format"), "expected json or text, got \"" + written.get() + "\"");
      }
    }
    String path = f.string(n.get("path")).orElse(DEFAULT_LOG_PATH);
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c < 0x20)) {
      f.error(
          n.get("path"),
          "expected an absolute file path such as /dev/stdout or /var/log/envoy/access.log, got \""
              + path
              + "\"");
    }
    List<LoggedInput> inputs = new ArrayList<>();
    Map<String, String> fields = new LinkedHashMap<>();
    YamlNode fieldsNode = n.get("fields");
    if (!fieldsNode.isAbsent() && format == AccessLog.Format.TEXT) {
      f.error(fieldsNode, "fields are for format: json; a text log is written with line");
    } else if (!fieldsNode.isAbsent() && f.object(fieldsNode, fieldsNode.fields().keySet())) {
      if (fieldsNode.fields().isEmpty()) {
        f.error(
            fieldsNode, "no field: name at least one, or leave fields out for the default ones");
      }
      fieldsNode
          .fields()
          .forEach(
              (key, value) ->
                  f.string(value)
                      .ifPresent(
                          v -> {
                            inputs.addAll(LogFormats.check(v, value, f));
                            fields.put(key, v);
                          }));
    } else {
      fields.putAll(DEFAULT_FIELDS);
      if (tracing) {
        fields.put("trace_id", "%TRACE_ID%");
      }
    }
    String line = DEFAULT_LINE;
    YamlNode lineNode = n.get("line");
    if (!lineNode.isAbsent() && format == AccessLog.Format.JSON) {
      f.error(lineNode, "line is for format: text; a JSON log is written with fields");
    } else if (!lineNode.isAbsent()) {
      Optional<String> l = f.requiredString(lineNode);
      if (l.isPresent()) {
        inputs.addAll(LogFormats.check(l.get(), lineNode, f));
        line = l.get().endsWith("\n") ? l.get() : l.get() + "\n";
      }
    }
    if (format == AccessLog.Format.JSON) {
      line = "";
    } else {
      fields.clear();
    }
    return Optional.of(new AccessLog(format, path, fields, line, inputs));
  }

  private static Optional<Tracing> tracing(YamlNode n, Fields f, String gateway) {
    if (n.isAbsent() || !f.object(n, Set.of("collector", "serviceName", "sampling"))) {
      return Optional.empty();
    }
    YamlNode collectorNode = n.get("collector");
    Optional<HostPort> collector = Optional.empty();
    if (collectorNode.isAbsent()) {
      f.error(
          collectorNode,
          "required field is missing: the OTLP/gRPC collector, e.g. collector: otel-collector:4317");
    } else {
      collector =
          f.requiredString(collectorNode)
              .flatMap(
                  c ->
                      HostPort.read(
                          c,
                          collectorNode,
                          f,
                          OTLP_GRPC_PORT,
                          "otel-collector:4317 (OTLP over gRPC, without a scheme)"));
    }
    String serviceName = gateway;
    if (!n.get("serviceName").isAbsent()) {
      serviceName = f.requiredString(n.get("serviceName")).orElse(gateway);
    }
    double sampling = DEFAULT_SAMPLING;
    YamlNode s = n.get("sampling");
    if (!s.isAbsent()) {
      if (!s.value().isNumber()) {
        f.error(
            s,
            "expected a percentage from 0 to 100, got "
                + s.typeName()
                + (s.value().isTextual() ? " \"" + s.value().asText() + "\"" : ""));
      } else if (s.value().asDouble() < 0 || s.value().asDouble() > 100) {
        f.error(s, s.value().asText() + " is out of range 0..100 (a percentage)");
      } else {
        sampling = s.value().asDouble();
      }
    }
    if (collector.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Tracing(collector.get().host(), collector.get().port(), serviceName, sampling));
  }

  private static Optional<Prometheus> metrics(
      YamlNode n, Fields f, String gatewayAddress, int gatewayPort) {
    if (n.isAbsent() || !f.object(n, Set.of("prometheus"))) {
      return Optional.empty();
    }
    YamlNode p = n.get("prometheus");
    if (p.isAbsent()) {
      f.error(
          p,
          "required field is missing: prometheus: {port: 9102} serves Envoy's statistics for Prometheus");
      return Optional.empty();
    }
    if (!f.object(p, Set.of("port", "path", "address"))) {
      return Optional.empty();
    }
    if (p.get("port").isAbsent()) {
      f.error(
          p.get("port"), "required field is missing: the port Prometheus scrapes, e.g. port: 9102");
    }
    var port = f.integer(p.get("port"), 1, 65535);
    if (port.isPresent() && port.getAsInt() == gatewayPort) {
      f.error(
          p.get("port"),
          "port "
              + gatewayPort
              + " is the gateway's own listener: give the statistics another port");
    }
    String path = f.string(p.get("path")).orElse(DEFAULT_PROMETHEUS_PATH);
    if (!URL_PATH.matcher(path).matches()) {
      f.error(
          p.get("path"),
          "expected a URL path such as /stats/prometheus (no query, spaces or %), got \""
              + path
              + "\"");
    }
    String address = f.string(p.get("address")).orElse(gatewayAddress);
    if (port.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Prometheus(address, port.getAsInt(), path));
  }
}
