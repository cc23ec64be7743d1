package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RepoPaths;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The edge listener's defaults (DESIGN.md invariant 6) as a client meets them. Requests are written
 * by hand on a socket: HTTP clients normalise paths and refuse odd headers themselves, which would
 * hide what Envoy does.
 */
class EdgeHardeningIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private HttpUpstream admin;
  private HttpUpstream web;
  private SluiceFixture sluice;
  private EnvoyProcess envoy;

  @BeforeEach
  void start() {
    admin = HttpUpstream.start("admin");
    web = HttpUpstream.start("web");
    sluice = new SluiceFixture();
    sluice.writeRegistry(
        "services:\n  admin: [\"" + admin.address() + "\"]\n  web: [\"" + web.address() + "\"]\n");
    sluice.writePolicy(
        "routes.yaml",
        """
        kind: Route
        name: admin
        match: {prefix: /admin}
        to: admin
        ---
        kind: Route
        name: web
        to: web
        """);
    sluice.start();
    envoy = envoys.startEdge(sluice.xdsPort);
    envoy.awaitReady(Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() {
    sluice.close();
    admin.close();
    web.close();
  }

  /** Sends one raw HTTP/1.1 request and returns the status and the upstream that answered. */
  private String raw(String path, String... extraHeaders) throws Exception {
    RawHttp.Response r = RawHttp.send(null, sluice.gatewayPort, "GET", path, extraHeaders);
    String upstream = r.header("x-upstream");
    return r.status() + (upstream == null || upstream.isEmpty() ? "" : " " + upstream);
  }

  /**
   * The edge bootstrap's own defaults: the overload manager runs in Envoy (its monitors report
   * pressure), and the file binds admin to loopback (the test harness rewrites the admin port, so
   * the address is checked in the file itself).
   */
  @Test
  void theEdgeBootstrapRunsTheOverloadManagerAndKeepsAdminOnLoopback() throws Exception {
    String stats = envoy.admin("/stats?filter=overload").body();
    assertThat(stats)
        .contains("overload.envoy.resource_monitors.fixed_heap.pressure")
        .contains("overload.envoy.resource_monitors.global_downstream_max_connections.pressure");
    var edge =
        new ObjectMapper(new YAMLFactory())
            .readTree(RepoPaths.resolve("envoy-configs/edge.yaml").toFile());
    assertThat(edge.at("/admin/address/socket_address/address").asText()).isEqualTo("127.0.0.1");
    assertThat(
            edge.at(
                    "/overload_manager/resource_monitors/1/typed_config/max_active_downstream_connections")
                .asLong())
        .isEqualTo(50_000);
  }

  @Test
  void headersWithUnderscoresAreRejected() throws Exception {
    assertThat(raw("/", "x_bad_header: 1")).isEqualTo("400");
    assertThat(raw("/", "x-good-header: 1")).isEqualTo("200 web");
  }

  @Test
  void pathsAreNormalisedBeforeRouting() throws Exception {
    assertThat(raw("/a/../admin")).as("dot segments").isEqualTo("200 admin");
    assertThat(raw("//admin")).as("merged slashes").isEqualTo("200 admin");
    assertThat(raw("/%2e%2e/admin")).as("encoded dot segments").isEqualTo("200 admin");
    assertThat(admin.received()).extracting(HttpUpstream.Request::path).containsOnly("/admin");
    // an escaped slash is unescaped and the client redirected to the plain path
    assertThat(raw("/admin%2Fsecret")).isEqualTo("307");
  }

  @Test
  void aGatewayMayRelaxADefaultExplicitly() throws Exception {
    assertThat(raw("/", "x_bad_header: 1")).isEqualTo("400");
    sluice.writePolicy(
        "gateway.yaml",
        "kind: Gateway\nname: edge\nport: "
            + sluice.gatewayPort
            + "\nhardening: {headersWithUnderscores: allow}\n");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> raw("/", "x_bad_header: 1").equals("200 web"));
    assertThat(web.received().get(web.received().size() - 1).header("x_bad_header")).isEqualTo("1");
  }
}
