package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.cli.SluiceCli;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One state per proxy, the same in {@code /proxies}, on the status page and in {@code sluice
 * status}: an Envoy that reconnects to a restarted Sluice with exactly what the server would send
 * is sent nothing, and is in sync for all three.
 */
class ProxyStateIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"GRPC", "DELTA_GRPC"})
  void aProxyReconnectingWithWhatItHasIsInSyncEverywhereAfterAControlPlaneRestart(String apiType)
      throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        HttpUpstream usersV2 = HttpUpstream.start("users-v2");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + users.port() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml", "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
      sluice.start();
      String bootstrap = Files.readString(EnvoyExtension.edgeBootstrap());
      Path file = Files.createTempFile("edge-" + apiType, ".yaml");
      Files.writeString(file, bootstrap.replace("api_type: GRPC", "api_type: " + apiType));
      envoys
          .start(file, EnvoyProcess.Options.ads(sluice.xdsPort))
          .awaitReady(Duration.ofSeconds(20));
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy(sluice).path("inSync").asBoolean());

      sluice.stop();
      sluice.start();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> sluice.adminJson("/proxies").path("proxies").size() == 1);
      assertThat(sluice.server().metrics().get("sluice_xds_pushes_total", "type", "Listener"))
          .as("nothing re-sent")
          .isZero();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(proxy(sluice).path("inSync").asBoolean())
                      .as("inSync in %s", proxy(sluice))
                      .isTrue());
      assertThat(proxy(sluice).path("state").asText()).isEqualTo("in sync");
      assertThat(row(sluice.admin("/").body(), "edge-1"))
          .contains("in sync")
          .doesNotContain("catching up");
      Run status = status(sluice);
      assertThat(status.exit()).as(status.out()).isZero();
      assertThat(status.out()).startsWith("ok: 1 proxy in sync").contains("in sync");

      // a later change that touches only the endpoints: the proxy stays in sync as a whole
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + usersV2.port() + "\"]\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.answer("/users").equals("users-v2"));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(proxy(sluice).path("state").asText()).isEqualTo("in sync"));
      assertThat(proxy(sluice).path("inSync").asBoolean()).isTrue();
    }
  }

  record Run(int exit, String out) {}

  static Run status(SluiceFixture sluice) {
    StringWriter out = new StringWriter();
    int exit =
        SluiceCli.run(
            new PrintWriter(out),
            new PrintWriter(out),
            "status",
            "--server",
            "http://127.0.0.1:" + sluice.adminPort);
    return new Run(exit, out.toString());
  }

  static JsonNode proxy(SluiceFixture sluice) {
    return sluice.adminJson("/proxies").path("proxies").path(0);
  }

  /** The table row of one proxy in the page's HTML. */
  static String row(String html, String node) {
    int start = html.indexOf("data-node=\"" + node + "\"");
    assertThat(start).as("a row for %s in %s", node, html).isPositive();
    return html.substring(start, html.indexOf("</tr>", start));
  }
}
