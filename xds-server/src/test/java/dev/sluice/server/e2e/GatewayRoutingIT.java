package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Routing through a real Envoy, driven by a real control plane, with config edited live. */
class GatewayRoutingIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private HttpUpstream users;
  private HttpUpstream orders;
  private SluiceFixture sluice;
  private EnvoyProcess envoy;

  @BeforeEach
  void start() {
    users = HttpUpstream.start("users");
    orders = HttpUpstream.start("orders");
    sluice = new SluiceFixture();
    sluice.writeRegistry(
        "services:\n"
            + "  users: [\"127.0.0.1:"
            + users.port()
            + "\"]\n"
            + "  orders: [\"127.0.0.1:"
            + orders.port()
            + "\"]\n");
    sluice.writePolicy(
        "routes.yaml",
        """
        kind: Route
        name: users
        match: {prefix: /users}
        to: users
        ---
        kind: Route
        name: orders
        match: {prefix: /orders}
        to: orders
        """);
    sluice.start();
    envoy = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() {
    sluice.close();
    users.close();
    orders.close();
  }

  @Test
  void requestsReachTheServiceTheRouteNames() {
    assertThat(sluice.answer("/users/42")).isEqualTo("users");
    assertThat(sluice.answer("/orders")).isEqualTo("orders");
    assertThat(sluice.get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(users.received())
        .extracting(HttpUpstream.Request::path)
        .containsExactly("/users/42");
    assertThat(orders.received()).extracting(HttpUpstream.Request::path).containsExactly("/orders");
  }

  @Test
  void envoyConfigDumpShowsTheRoutesAndClustersSluiceSent() {
    JsonNode dump = envoy.configDump();
    String text = dump.toString();
    assertThat(text)
        .contains("\"prefix\":\"/users\"", "\"cluster\":\"users\"", "\"cluster\":\"orders\"");
    assertThat(text).contains("envoy.filters.network.http_connection_manager");
  }

  @Test
  void weightedSplitNinetyTenLandsWithinThreePointsOverOneThousandRequests() {
    sluice.writePolicy(
        "split.yaml",
        """
        kind: Route
        name: split
        match: {prefix: /split}
        to:
          - service: users
            weight: 90
          - service: orders
            weight: 10
        """);
    await().atMost(Duration.ofSeconds(5)).until(() -> sluice.get("/split").statusCode() == 200);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      counts.merge(sluice.answer("/split"), 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsOnly("users", "orders");
    double usersShare = counts.get("users") / 10.0;
    assertThat(usersShare)
        .as("percent of requests to users, counts %s", counts)
        .isBetween(87.0, 93.0);
  }

  @Test
  void editingTheRegistryMovesTrafficToANewInstanceWithoutRestart() {
    try (HttpUpstream usersV2 = HttpUpstream.start("users-v2")) {
      long before = System.nanoTime();
      sluice.writeRegistry(
          "services:\n"
              + "  users: [\"127.0.0.1:"
              + usersV2.port()
              + "\"]\n"
              + "  orders: [\"127.0.0.1:"
              + orders.port()
              + "\"]\n");
      await()
          .atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> sluice.answer("/users").equals("users-v2"));
      System.out.printf(
          "registry edit → traffic moved in %d ms%n", (System.nanoTime() - before) / 1_000_000);
      for (int i = 0; i < 20; i++) {
        assertThat(sluice.answer("/users")).isEqualTo("users-v2");
      }
    }
  }

  @Test
  void addingAPolicyFileAddsARoute() {
    assertThat(sluice.get("/shop").statusCode()).isEqualTo(404);
    long before = System.nanoTime();
    sluice.writePolicy(
        "shop.yaml",
        """
        kind: Route
        name: shop
        match: {prefix: /shop}
        to: orders
        """);
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> sluice.answer("/shop").equals("orders"));
    System.out.printf(
        "new policy file → route live in %d ms%n", (System.nanoTime() - before) / 1_000_000);
  }

  @Test
  void brokenPolicyKeepsThePreviousRoutesServingAndShowsTheError() throws Exception {
    try (TrafficLoop traffic = new TrafficLoop(() -> sluice.answer("/users"), "users")) {
      Thread.sleep(300);
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: users
          match: {prefix: /users}
          to: users
          timeout: 2 seconds
          """);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> sluice.status().get("policyFindings").size() > 0);
      Thread.sleep(500);
      traffic.close();
      assertThat(traffic.sent()).isGreaterThan(50);
      assertThat(traffic.failures()).as("failed requests during the broken change").isEmpty();
    }
    JsonNode finding = sluice.status().get("policyFindings").get(0);
    assertThat(finding.get("text").asText())
        .endsWith(
            "routes.yaml:5:10: Route/users field timeout: invalid duration \"2 seconds\" (write it like 250ms, 2s, 1m or 1h)");
    assertThat(finding.get("line").asInt()).isEqualTo(5);
    assertThat(finding.get("column").asInt()).isEqualTo(10);
    // the orders route, removed by the broken file, still serves: nothing of the change was applied
    assertThat(sluice.answer("/orders")).isEqualTo("orders");
    assertThat(sluice.server().metrics().get("sluice_config_rejected_total", "source", "policies"))
        .isEqualTo(1);
  }

  @Test
  void movingARouteToANewServiceAndBackFailsNoRequest() throws Exception {
    String route = "kind: Route\nname: api\nmatch: {prefix: /api}\nto: %s\n";
    sluice.writePolicy("api.yaml", route.formatted("users"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sluice.answer("/api").equals("users"));
    try (TrafficLoop traffic =
        new TrafficLoop(
            () -> sluice.answer("/api"), a -> a.equals("users") || a.equals("orders"))) {
      for (int i = 0; i < 5; i++) {
        // orders has no cluster while no route uses it: each switch adds a cluster, then removes
        // one
        sluice.writePolicy(
            "routes.yaml", "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
        sluice.writePolicy("api.yaml", route.formatted("orders"));
        await().atMost(Duration.ofSeconds(5)).until(() -> sluice.answer("/api").equals("orders"));
        sluice.writePolicy("api.yaml", route.formatted("users"));
        await().atMost(Duration.ofSeconds(5)).until(() -> sluice.answer("/api").equals("users"));
      }
      traffic.close();
      assertThat(traffic.answers()).containsKeys("users", "orders");
      assertThat(traffic.failures()).as("failed requests while clusters came and went").isEmpty();
    }
  }
}
