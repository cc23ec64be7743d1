package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RawHttp;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Gateway's {@code telemetry} through a real Envoy: a JSON access line per request with no
 * credential in it, spans at an OTLP/gRPC collector, and Envoy's statistics for Prometheus on a
 * port of their own that reaches nothing else of the admin API.
 */
class GatewayTelemetryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static final String KEY = "sk_live_5b2e9c7d1a3f4e6b8d0c2a4e6f8b0d1c";
  private static final String QUERY_KEY = "sk_live_query_7e1d3c5b9a2f4d6e8c0b1a3d5f7e9c2b";
  private static final String BEARER = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl";
  private static final String COOKIE = "session=cookie-secret-3f9a1c";

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void eachRequestIsOneJsonLineWithStatusPathAndRouteAndNoCredential() throws Exception {
    Path logs = Files.createTempDirectory("sluice-access-log");
    Path log = logs.resolve("access.log");
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "gateway.yaml",
          "kind: Gateway\nname: edge\nport: "
              + sluice.gatewayPort
              + "\n"
              + "telemetry:\n  accessLog: {path: "
              + log
              + "}\n");
      sluice.writePolicy(
          "consumers.yaml",
          "kind: Consumer\nname: shop\napiKeys: [\"sha256:"
              + ApiKeyAuthIT.sha256(KEY)
              + "\", \"sha256:"
              + ApiKeyAuthIT.sha256(QUERY_KEY)
              + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: orders
          match: {prefix: /orders}
          to: orders
          auth: {apiKey: {header: x-api-key}}
          ---
          kind: Route
          name: search
          match: {prefix: /search}
          to: orders
          auth: {apiKey: {query: api_key}}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      HttpResponse<String> ok =
          sluice.get(
              "/orders/7?page=2",
              "x-api-key",
              KEY,
              "authorization",
              "Bearer " + BEARER,
              "cookie",
              COOKIE,
              "user-agent",
              "telemetry-it/1");
      assertThat(ok.statusCode()).isEqualTo(200);
      List<String> lines = awaitLines(log, 1);
      assertThat(lines).as("one line for one request").hasSize(1);
      JsonNode first = JSON.readTree(lines.get(0));
      assertThat(first.path("status").asInt()).isEqualTo(200);
      assertThat(first.path("method").asText()).isEqualTo("GET");
      assertThat(first.path("path").asText())
          .as("the path, without its query")
          .isEqualTo("/orders/7");
      assertThat(first.path("route").asText()).isEqualTo("orders");
      assertThat(first.path("upstream_cluster").asText()).isEqualTo("orders");
      assertThat(first.path("upstream_host").asText()).isEqualTo(orders.address());
      assertThat(first.path("user_agent").asText()).isEqualTo("telemetry-it/1");
      assertThat(first.path("request_id").asText())
          .isEqualTo(orders.received().get(0).header("x-request-id"));
      assertThat(first.path("protocol").asText()).isEqualTo("HTTP/1.1");
      assertThat(first.path("client_address").asText()).isEqualTo("127.0.0.1");
      assertThat(first.has("duration_ms") && first.has("bytes_sent") && first.has("start_time"))
          .isTrue();

      // a key in the query string, and requests Envoy answers itself
      assertThat(sluice.get("/search?q=shoes&api_key=" + QUERY_KEY).statusCode()).isEqualTo(200);
      assertThat(sluice.get("/orders/8", "x-api-key", "sk_live_wrong_key_0000").statusCode())
          .isEqualTo(401);
      assertThat(sluice.get("/nowhere").statusCode()).isEqualTo(404);
      lines = awaitLines(log, 4);
      Map<String, JsonNode> byPath = new LinkedHashMap<>();
      for (String line : lines) {
        JsonNode n = JSON.readTree(line);
        byPath.put(n.path("path").asText(), n);
      }
      assertThat(byPath.get("/search").path("status").asInt()).isEqualTo(200);
      assertThat(byPath.get("/search").path("route").asText()).isEqualTo("search");
      assertThat(byPath.get("/orders/8").path("status").asInt()).isEqualTo(401);
      assertThat(byPath.get("/nowhere").path("status").asInt()).isEqualTo(404);
      assertThat(byPath.get("/nowhere").path("response_flags").asText()).isEqualTo("NR");

      String all = Files.readString(log);
      assertThat(all)
          .doesNotContain(KEY)
          .doesNotContain(QUERY_KEY)
          .doesNotContain("sk_live_wrong_key_0000")
          .doesNotContain(BEARER)
          .doesNotContain("cookie-secret")
          .doesNotContain("api_key")
          .doesNotContain("page=2");
    } finally {
      deleteTree(logs);
    }
  }

  @Test
  void spansReachTheCollectorWithTheServiceNameAndTheUpstreamSeesTheTrace() throws Exception {
    List<ExportTraceServiceRequest> exported = new CopyOnWriteArrayList<>();
    Server collector =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new TraceServiceGrpc.TraceServiceImplBase() {
                  @Override
                  public void export(
                      ExportTraceServiceRequest request,
                      StreamObserver<ExportTraceServiceResponse> response) {
                    exported.add(request);
                    response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml", "kind: Route\nname: orders\nmatch: {prefix: /orders}\nto: orders\n");
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      assertThat(sluice.get("/orders/1").statusCode()).isEqualTo(200);
      assertThat(orders.received().get(0).header("traceparent")).as("no tracing yet").isNull();

      // turned on while Envoy runs: the collector's cluster goes out before the listener that uses
      // it
      sluice.writePolicy(
          "gateway.yaml",
          "kind: Gateway\nname: edge\nport: "
              + sluice.gatewayPort
              + "\n"
              + "telemetry:\n  tracing: {collector: \"127.0.0.1:"
              + collector.getPort()
              + "\", serviceName: shop-edge}\n");
      // a new connection each time: a kept-alive one stays on the replaced listener's filter chain
      // while it drains, and would not be traced
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                orders.reset();
                return RawHttp.send(null, sluice.gatewayPort, "GET", "/orders/42?page=2").status()
                        == 200
                    && orders.received().get(0).header("traceparent") != null;
              });
      HttpUpstream.Request seen = orders.received().get(0);
      String traceparent = seen.header("traceparent");
      assertThat(traceparent)
          .as("W3C trace context sent upstream")
          .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
      String traceId = traceparent.split("-")[1];

      // Envoy's OpenTelemetry tracer flushes every 5 s (or every 5 spans)
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  spans(exported).stream()
                      .anyMatch(
                          sp ->
                              HexFormat.of()
                                  .formatHex(sp.getTraceId().toByteArray())
                                  .equals(traceId)));
      ResourceSpans rs = exported.get(0).getResourceSpans(0);
      assertThat(attributes(rs.getResource().getAttributesList()))
          .containsEntry("service.name", "shop-edge");
      Span span =
          spans(exported).stream()
              .filter(sp -> HexFormat.of().formatHex(sp.getTraceId().toByteArray()).equals(traceId))
              .findFirst()
              .orElseThrow();
      assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
      Map<String, String> attrs = attributes(span.getAttributesList());
      assertThat(attrs)
          .containsEntry("http.status_code", "200")
          .containsEntry("guid:x-request-id", seen.header("x-request-id"));
      // the whole URL, query included: why Sluice refuses tracing where credentials come in the
      // query
      assertThat(attrs.get("http.url")).endsWith("/orders/42?page=2");
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Listener"))
          .as("no NACK")
          .isZero();
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Cluster"))
          .as("no NACK")
          .isZero();
    } finally {
      collector.shutdownNow();
    }
  }

  @Test
  void prometheusGetsEnvoysStatisticsAndNothingElseOfTheAdminApi() throws Exception {
    int statsPort = FreePorts.next();
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "gateway.yaml",
          "kind: Gateway\nname: edge\nport: "
              + sluice.gatewayPort
              + "\n"
              + "telemetry:\n  metrics:\n    prometheus: {port: "
              + statsPort
              + ", address: 127.0.0.1}\n");
      sluice.writePolicy("routes.yaml", "kind: Route\nname: orders\nto: orders\n");
      sluice.start();
      EnvoyProcess edge = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      assertThat(sluice.get("/orders").statusCode()).isEqualTo(200);

      HttpResponse<String> stats = get(statsPort, "/stats/prometheus");
      assertThat(stats.statusCode()).isEqualTo(200);
      assertThat(stats.body())
          .contains("# TYPE envoy_http_downstream_rq_total counter")
          .contains(
              "envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"http-"
                  + sluice.gatewayPort
                  + "\"}")
          .contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"orders\"}");
      assertThat(get(statsPort, "/stats/prometheus?usedonly").statusCode()).isEqualTo(200);

      // the rest of the admin API is not there
      for (String path :
          List.of(
              "/config_dump",
              "/quitquitquit",
              "/stats",
              "/stats?format=json",
              "/clusters",
              "/server_info",
              "/",
              "/stats/prometheus/extra",
              "/stats/prometheus/../../config_dump",
              "/STATS/PROMETHEUS",
              "/logging?level=trace",
              "/stats/prometheus%2F..%2F..%2Fconfig_dump",
              "/%73tats/prometheus/..%2Fconfig_dump")) {
        for (String method : List.of("GET", "POST")) {
          int status = RawHttp.send("127.0.0.1", statsPort, method, path).status();
          assertThat(status).as("%s %s", method, path).isIn(400, 404);
        }
      }
      assertThat(RawHttp.send("127.0.0.1", statsPort, "POST", "/stats/prometheus").status())
          .as("POST")
          .isEqualTo(404);
      assertThat(RawHttp.send("127.0.0.1", statsPort, "POST", "/reset_counters").status())
          .isEqualTo(404);
      assertThat(edge.isAlive()).as("POST /quitquitquit did not reach the admin API").isTrue();
      assertThat(edge.stat("http.http-" + sluice.gatewayPort + ".downstream_rq_total").orElse(0))
          .as("counters were not reset")
          .isGreaterThanOrEqualTo(1);

      // another path: the listener changes, the old path is gone
      sluice.writePolicy(
          "gateway.yaml",
          "kind: Gateway\nname: edge\nport: "
              + sluice.gatewayPort
              + "\n"
              + "telemetry:\n  metrics:\n    prometheus: {port: "
              + statsPort
              + ", address: 127.0.0.1, path: /metrics}\n");
      // a new connection per request: a kept-alive one stays on the old listener while Envoy drains
      // it
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> RawHttp.send("127.0.0.1", statsPort, "GET", "/metrics").status() == 200);
      assertThat(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + statsPort + "/metrics"))
                          .timeout(Duration.ofSeconds(10))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .contains("envoy_http_downstream_rq_total");
      assertThat(RawHttp.send("127.0.0.1", statsPort, "GET", "/stats/prometheus").status())
          .isEqualTo(404);
    }
  }

  @Test
  void anEnvoyWhoseBootstrapLacksTheAdminClusterKeepsTheListenerAndAnswers503() throws Exception {
    int statsPort = FreePorts.next();
    Path dir = Files.createTempDirectory("sluice-bootstrap");
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      Path file = EnvoyExtension.edgeBootstrapWithout(EnvoyProcess.ADMIN_CLUSTER, dir);
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "gateway.yaml",
          "kind: Gateway\nname: edge\nport: "
              + sluice.gatewayPort
              + "\n"
              + "telemetry:\n  metrics:\n    prometheus: {port: "
              + statsPort
              + ", address: 127.0.0.1}\n");
      sluice.writePolicy("routes.yaml", "kind: Route\nname: orders\nto: orders\n");
      sluice.start();
      envoys
          .start(file, EnvoyProcess.Options.ads(sluice.xdsPort))
          .awaitReady(Duration.ofSeconds(20));

      assertThat(sluice.get("/orders").statusCode()).as("the gateway itself serves").isEqualTo(200);
      assertThat(get(statsPort, "/stats/prometheus").statusCode()).isEqualTo(503);
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Listener"))
          .as("no NACK")
          .isZero();
    } finally {
      deleteTree(dir);
    }
  }

  private static List<Span> spans(List<ExportTraceServiceRequest> exported) {
    List<Span> out = new ArrayList<>();
    for (ExportTraceServiceRequest r : exported) {
      r.getResourceSpansList()
          .forEach(rs -> rs.getScopeSpansList().forEach(ss -> out.addAll(ss.getSpansList())));
    }
    return out;
  }

  private static Map<String, String> attributes(List<KeyValue> kvs) {
    return kvs.stream()
        .collect(
            Collectors.toMap(
                KeyValue::getKey,
                kv ->
                    switch (kv.getValue().getValueCase()) {
                      case STRING_VALUE -> kv.getValue().getStringValue();
                      case INT_VALUE -> Long.toString(kv.getValue().getIntValue());
                      case BOOL_VALUE -> Boolean.toString(kv.getValue().getBoolValue());
                      case DOUBLE_VALUE -> Double.toString(kv.getValue().getDoubleValue());
                      default -> kv.getValue().toString();
                    },
                (a, b) -> b));
  }

  private static List<String> awaitLines(Path log, int n) {
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> lines(log).size() >= n);
    return lines(log);
  }

  private static List<String> lines(Path log) {
    try {
      return Files.exists(log)
          ? Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList()
          : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
