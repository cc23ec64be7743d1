package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RawHttp;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an operator sees of a running Sluice: every proxy's sync state and NACKs traced to the
 * policy behind them, propagation times, policy states, the catalog, Prometheus metrics and traces,
 * behind an optional admin token; without one, only for requests addressed to this host; read-only,
 * and never inside another site's frame.
 */
class AdminApiIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private static final String TWO_GATEWAYS =
      """
      kind: Gateway
      name: edge
      port: %d
      ---
      kind: Gateway
      name: internal
      port: %d
      ---
      kind: Route
      name: users
      gateway: edge
      to: users
      ---
      kind: Route
      name: broken
      gateway: internal
      to: broken
      """;

  @Test
  void aNackShowsEnvoysErrorAndThePolicyBehindItInProxiesAndInTheMetric() throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice =
            new SluiceFixture()
                .hook(
                    r ->
                        r.clusters().stream().anyMatch(c -> c.getName().equals("broken"))
                            ? InvalidResources.withInvalidTimeoutOn(r, "broken")
                            : r)) {
      int internalPort = FreePorts.next();
      sluice.writeRegistry(
          "services:\n  users: [\"" + users.address() + "\"]\n  broken: [\"127.0.0.1:9\"]\n");
      sluice.writePolicy(
          "gateway.yaml", String.format(TWO_GATEWAYS, sluice.gatewayPort, internalPort));
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      envoys.start(
          EnvoyExtension.edgeBootstrap(),
          EnvoyProcess.Options.ads(sluice.xdsPort).node("internal-1", "internal"));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> proxy(sluice, "internal-1").path("nacks").size() > 0);
      JsonNode nack = proxy(sluice, "internal-1").path("nacks").get(0);
      assertThat(nack.path("type").asText()).isEqualTo("clusters");
      assertThat(nack.path("error").asText()).contains("Invalid duration");
      assertThat(nack.path("policies").toString())
          .contains("Route/broken (")
          .contains("gateway.yaml:14:1");
      assertThat(proxy(sluice, "internal-1").path("inSync").asBoolean()).isFalse();
      assertThat(proxy(sluice, "edge-1").path("inSync").asBoolean()).isTrue();
      assertThat(proxy(sluice, "edge-1").path("nacks")).isEmpty();

      String metrics = sluice.admin("/metrics").body();
      assertThat(metrics)
          .containsPattern("(?m)^sluice_xds_nacks_total\\{[^}]*type=\"Cluster\"[^}]*\\} 1(\\.0)?$");
    }
  }

  @Test
  void afterAPolicyChangeEveryProxyAcceptedItAndThePropagationTimeIsRecorded() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice =
            new SluiceFixture().telemetry(() -> Telemetry.withSpanExporter(spans))) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy("routes.yaml", "kind: Route\nname: users\nto: users\ntimeout: 5s\n");
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      envoys
          .start(
              EnvoyExtension.edgeBootstrap(),
              EnvoyProcess.Options.ads(sluice.xdsPort).node("edge-2", "edge"))
          .awaitReady(Duration.ofSeconds(20));

      sluice.writePolicy("routes.yaml", "kind: Route\nname: users\nto: users\ntimeout: 7s\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                JsonNode latest = sluice.adminJson("/changes").path("changes").get(0);
                return latest.path("cause").asText().equals("policies")
                    && !latest.path("completedAfterMs").isNull();
              });
      JsonNode change = sluice.adminJson("/changes").path("changes").get(0);
      long id = change.path("id").asLong();
      assertThat(change.path("groups").path("edge").asText()).isEqualTo("accepted");
      assertThat(change.path("acceptedAfterMs").has("edge-1")).isTrue();
      assertThat(change.path("acceptedAfterMs").has("edge-2")).isTrue();
      assertThat(change.path("completedAfterMs").asLong()).isBetween(0L, 10_000L);
      for (String node : List.of("edge-1", "edge-2")) {
        JsonNode p = proxy(sluice, node);
        assertThat(p.path("inSync").asBoolean()).as(node).isTrue();
        assertThat(p.path("lastChange").path("id").asLong()).as(node).isEqualTo(id);
        assertThat(p.path("types").path("routes").path("acked").asText())
            .isEqualTo(p.path("types").path("routes").path("sent").asText());
      }
      for (EnvoyProcess envoy : envoys.processes()) {
        assertThat(envoy.configDump().toString())
            .as("what %s runs", envoy.nodeId())
            .contains("\"timeout\":\"7s\"");
      }

      String metrics = sluice.admin("/metrics").body();
      assertThat(metrics)
          .containsPattern(
              "(?m)^sluice_propagation_seconds_count\\{[^}]*cause=\"policies\"[^}]*\\} [1-9]")
          .contains(
              "sluice_xds_connected_proxies",
              "sluice_xds_pushes_total",
              "sluice_push_seconds_bucket",
              "sluice_translate_seconds_bucket",
              "sluice_registry_stale",
              "sluice_config_builds_total");

      // the rebuild of that change was traced, with its id
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  spans.getFinishedSpanItems().stream()
                      .anyMatch(s -> s.getName().equals("sluice.push") && idOf(s) == id));
      SpanData rebuild =
          spans.getFinishedSpanItems().stream()
              .filter(s -> s.getName().equals("sluice.rebuild") && idOf(s) == id)
              .findFirst()
              .orElseThrow();
      SpanData push =
          spans.getFinishedSpanItems().stream()
              .filter(s -> s.getName().equals("sluice.push") && idOf(s) == id)
              .findFirst()
              .orElseThrow();
      assertThat(push.getTraceId())
          .as("the push belongs to the rebuild's trace")
          .isEqualTo(rebuild.getTraceId());
    }
  }

  @Test
  void policiesShowWhichDocumentIsRejectedAndWhyAndTheCatalogIsVisible() throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy("routes.yaml", "kind: Route\nname: users\nto: users\n");
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      JsonNode ok = sluice.adminJson("/policies");
      assertThat(ok.path("lastLoad").asText()).isEqualTo("accepted");
      JsonNode route = find(ok.path("policies"), "Route/users");
      assertThat(route.path("state").asText()).isEqualTo("serving");
      assertThat(route.path("proxies").toString()).contains("edge-1");

      sluice.writePolicy("more.yaml", "kind: Route\nname: orders\nto: orders\ntimeout: soon\n");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> sluice.adminJson("/policies").path("lastLoad").asText().equals("rejected"));
      JsonNode bad = sluice.adminJson("/policies");
      JsonNode orders = find(bad.path("policies"), "Route/orders");
      assertThat(orders.path("state").asText()).isEqualTo("rejected");
      assertThat(orders.path("findings").get(0).asText())
          .contains("more.yaml:4:10")
          .contains("invalid duration \"soon\"");
      assertThat(find(bad.path("policies"), "Route/users").path("state").asText())
          .isEqualTo("serving");
      assertThat(sluice.admin("/metrics").body())
          .containsPattern(
              "(?m)^sluice_config_rejected_total\\{[^}]*source=\"policies\"[^}]*\\} 1(\\.0)?$");

      JsonNode catalog = sluice.adminJson("/catalog");
      assertThat(catalog.path("services").path("users").get(0).path("port").asInt())
          .isEqualTo(users.port());
      assertThat(catalog.path("services").path("users").get(0).path("health").asText())
          .isEqualTo("passing");
      String config = sluice.admin("/config/edge-1").body();
      assertThat(config).contains("listeners:", "http-" + sluice.gatewayPort, "clusters:", "users");
    }
  }

  @Test
  void withATokenTheAdminApiWantsItButProbesStayOpen() throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture().adminToken("s3cr3t-admin")) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy("routes.yaml", "kind: Route\nname: users\nto: users\n");
      sluice.start();
      var http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + sluice.adminPort;
      for (String path : List.of("/proxies", "/metrics", "/", "/config/edge", "/policies")) {
        var r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate"))
            .hasValue("Basic realm=\"sluice admin\"");
      }
      var wrong =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/proxies"))
                  .header("Authorization", "Bearer nope")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(sluice.admin("/proxies").statusCode()).isEqualTo(200);
      var basic =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/"))
                  .header(
                      "Authorization",
                      "Basic "
                          + Base64.getEncoder().encodeToString("admin:s3cr3t-admin".getBytes()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(basic.statusCode()).isEqualTo(200);
      assertThat(basic.body()).contains("<h1>Sluice</h1>");
      for (String probe : List.of("/healthz", "/ready")) {
        var r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + probe)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(probe).isIn(200, 503);
      }
      // with a token the token guards, under any name, and refusals carry the headers too
      RawHttp.Response foreign =
          RawHttp.send(null, sluice.adminPort, "GET", "/proxies", "Host: sluice.example.com");
      assertThat(foreign.status()).isEqualTo(401);
      assertHardened(foreign);
      assertThat(
              RawHttp.send(
                      null,
                      sluice.adminPort,
                      "GET",
                      "/proxies",
                      "Host: sluice.example.com",
                      "Authorization: Bearer s3cr3t-admin")
                  .status())
          .isEqualTo(200);
    }
  }

  @Test
  void withoutATokenOnlyRequestsAddressedToThisHostAreAnsweredAndNothingButGetAndHead()
      throws Exception {
    try (SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:9\"]\n");
      sluice.start();
      int port = sluice.adminPort;
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.admin("/ready").statusCode() == 200);

      // a web page that pointed a name of its own at this host (DNS rebinding) sends that name
      for (String path :
          List.of("/proxies", "/", "/metrics", "/status", "/config/edge", "/nothing")) {
        for (String host :
            List.of(
                "evil.example:" + port,
                "evil.example",
                "localhost.evil.example",
                "127.0.0.1.evil.example:" + port)) {
          RawHttp.Response r = RawHttp.send(null, port, "GET", path, "Host: " + host);
          assertThat(r.status()).as("%s with Host %s", path, host).isEqualTo(403);
          assertThat(r.body()).contains("Host " + host, "DNS rebinding", "admin token");
          assertHardened(r);
        }
      }
      // the names of this host and IP addresses, with any port
      for (String host :
          List.of(
              "localhost:" + port,
              "localhost",
              "LocalHost.",
              "127.0.0.1:" + port,
              "127.0.0.1",
              "[::1]:" + port,
              "[::1]",
              "10.1.2.3:8080")) {
        RawHttp.Response r = RawHttp.send(null, port, "GET", "/proxies", "Host: " + host);
        assertThat(r.status()).as("Host %s", host).isEqualTo(200);
        assertThat(r.body()).contains("\"proxies\"");
        assertHardened(r);
      }
      RawHttp.Response page = RawHttp.send(null, port, "GET", "/", "Host: localhost:" + port);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body()).contains("<h1>Sluice</h1>");
      assertHardened(page);
      assertHardened(RawHttp.send(null, port, "GET", "/nothing", "Host: localhost"));

      // probes answer whatever name a health checker uses (a pod's address, a service name)
      for (String probe : List.of("/healthz", "/ready")) {
        RawHttp.Response r = RawHttp.send(null, port, "GET", probe, "Host: sluice:" + port);
        assertThat(r.status()).as(probe).isEqualTo(200);
        assertHardened(r);
      }

      // read-only: every other method is refused, whatever the path or Host
      for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
        for (String path : List.of("/proxies", "/", "/healthz", "/ready")) {
          RawHttp.Response r = RawHttp.send(null, port, method, path, "Host: localhost:" + port);
          assertThat(r.status()).as("%s %s", method, path).isEqualTo(405);
          assertThat(r.header("allow")).as("%s %s", method, path).isEqualTo("GET, HEAD");
          assertHardened(r);
        }
      }
      RawHttp.Response head =
          RawHttp.send(null, port, "HEAD", "/proxies", "Host: localhost:" + port);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-type")).isEqualTo("application/json");
      assertHardened(head);
    }
  }

  private static void assertHardened(RawHttp.Response r) {
    assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
    assertThat(r.header("x-frame-options")).isEqualTo("DENY");
    assertThat(r.header("content-security-policy")).contains("frame-ancestors 'none'");
  }

  private static long idOf(SpanData s) {
    Long v = s.getAttributes().get(AttributeKey.longKey("sluice.change.id"));
    return v == null ? -1 : v;
  }

  private static JsonNode find(JsonNode list, String resource) {
    for (JsonNode n : list) {
      if (n.path("resource").asText().equals(resource)) {
        return n;
      }
    }
    throw new AssertionError(resource + " not in " + list);
  }

  private static JsonNode proxy(SluiceFixture sluice, String node) {
    for (JsonNode p : sluice.adminJson("/proxies").path("proxies")) {
      if (p.path("node").asText().equals(node)) {
        return p;
      }
    }
    return MissingNode.getInstance();
  }
}
