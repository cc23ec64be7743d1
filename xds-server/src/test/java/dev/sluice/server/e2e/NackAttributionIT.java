package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HeadlessChromium;
import dev.sluice.testing.HttpUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A route table Envoy rejects because of one entry is blamed on that entry's policy alone, in
 * {@code /proxies}, on the status page (read in headless Chromium) and in {@code sluice status};
 * once a fixed version is accepted, the NACK is history, no longer shown as current. The refused
 * regex is injected through a pipeline step of the test's own (TestServers), so Envoy refuses it
 * whatever {@code validate} would say of it.
 */
class NackAttributionIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void aNackNamingOneRouteBlamesOnlyItsPolicyAndOnceSupersededIsHistoryEverywhere()
      throws Exception {
    HeadlessChromium chromium = HeadlessChromium.find();
    AtomicBoolean poison = new AtomicBoolean(false);
    try (HttpUpstream app = HttpUpstream.start("app");
        SluiceFixture sluice =
            new SluiceFixture()
                .hook(r -> poison.get() ? InvalidResources.withRefusedRegexOn(r, "orders") : r)) {
      sluice.writeRegistry(
          "services:\n  users: [\""
              + app.address()
              + "\"]\n  orders: [\""
              + app.address()
              + "\"]\n"
              + "  web: [\""
              + app.address()
              + "\"]\n");
      String routes =
          "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n---\n"
              + "kind: Route\nname: orders\nmatch: {prefix: /orders}\nto: orders\n---\n"
              + "kind: Route\nname: web\nto: web\n";
      sluice.writePolicy("routes.yaml", routes);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> ProxyStateIT.proxy(sluice).path("state").asText().equals("in sync"));

      poison.set(true);
      sluice.writePolicy("routes.yaml", routes + "# touched to trigger a rebuild\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !ProxyStateIT.proxy(sluice).path("nacks").isEmpty());

      JsonNode proxy = ProxyStateIT.proxy(sluice);
      JsonNode nack = proxy.path("nacks").path(0);
      assertThat(nack.path("type").asText()).isEqualTo("routes");
      assertThat(nack.path("error").asText()).contains("RE2 program size");
      assertThat(texts(nack.path("policies")))
          .as("the policies blamed")
          .singleElement()
          .asString()
          .startsWith("Route/orders (")
          .contains("routes.yaml:");
      assertThat(nack.path("oneOf").asBoolean()).isFalse();
      assertThat(proxy.path("state").asText()).isEqualTo("rejected");
      assertThat(proxy.path("inSync").asBoolean()).isFalse();

      String url = "http://127.0.0.1:" + sluice.adminPort + "/";
      String row = ProxyStateIT.row(chromium.dom(url), "edge-1");
      assertThat(row)
          .contains("rejected (routes)", "RE2 program size", "Route/orders (")
          .doesNotContain("Route/users (", "Route/web (", "one of");
      ProxyStateIT.Run status = ProxyStateIT.status(sluice);
      assertThat(status.exit()).as(status.out()).isEqualTo(5);
      assertThat(status.out())
          .startsWith("rejected: 1 proxy rejects its config (NACK)\n")
          .contains("RE2 program size", "from Route/orders (")
          .doesNotContain("Route/users (", "Route/web (");

      // the entry is fixed: the table is sent again, accepted, and the NACK is history
      poison.set(false);
      sluice.writePolicy("routes.yaml", routes + "# fixed\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> ProxyStateIT.proxy(sluice).path("state").asText().equals("in sync"));
      proxy = ProxyStateIT.proxy(sluice);
      assertThat(proxy.path("nacks")).as("current NACKs").isEmpty();
      assertThat(proxy.path("nackHistory"))
          .singleElement()
          .satisfies(
              past -> {
                assertThat(past.path("error").asText()).contains("RE2 program size");
                assertThat(past.path("supersededBy").asText())
                    .startsWith("version ")
                    .endsWith(" accepted");
              });
      row = ProxyStateIT.row(chromium.dom(url), "edge-1");
      assertThat(row)
          .contains("in sync", "1 earlier NACK, superseded")
          .doesNotContain("class=\"nack\"", "rejected (");
      status = ProxyStateIT.status(sluice);
      assertThat(status.exit()).as(status.out()).isZero();
      assertThat(status.out())
          .startsWith("ok: 1 proxy in sync\n")
          .doesNotContain("RE2 program size", "NACK of routes version")
          .contains("earlier NACK of routes");
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
