package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.testing.ConsulAgent;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Services registered in a real Consul reach a real Envoy, and Consul trouble never breaks traffic.
 */
class ConsulDiscoveryIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private ConsulAgent consul;
  private SluiceFixture sluice;
  private EnvoyProcess envoy;
  private final Map<String, HttpUpstream> upstreams = new HashMap<>();
  private Duration blockingWait = ConsulConfig.DEFAULT_WAIT;

  @BeforeEach
  void start() {
    consul = ConsulAgent.start();
    for (String name : List.of("u1", "u2", "u3")) {
      upstreams.put(name, HttpUpstream.start(name));
    }
  }

  private void startSluice(String routes) {
    sluice =
        new SluiceFixture()
            .consul(
                ConsulConfig.of(consul.registry())
                    .withRecoveryGrace(Duration.ofSeconds(60))
                    .withBlockingWait(blockingWait));
    sluice.writePolicy("routes.yaml", routes);
    sluice.start();
    envoy = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() {
    if (sluice != null) {
      sluice.close();
    }
    upstreams.values().forEach(HttpUpstream::close);
    consul.close();
  }

  private void register(String id, List<String> tags) {
    consul.register(id, "users", upstreams.get(id).port(), tags);
  }

  /** Which upstreams answered {@code n} requests. */
  private Set<String> answering(int n) {
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      seen.add(sluice.answer("/users"));
    }
    return seen;
  }

  private long awaitMillis(Duration max, Callable<Boolean> condition) {
    long start = System.nanoTime();
    await().atMost(max).pollInterval(Duration.ofMillis(10)).until(condition);
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void registeredInstancesGetTrafficAFailedCheckStopsItAndDeregistrationRemovesIt() {
    register("u1", List.of());
    register("u2", List.of());
    register("u3", List.of());
    startSluice("kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
    assertThat(answering(60)).containsExactly("u1", "u2", "u3");
    assertThat(envoy.admin("/clusters").body())
        .contains("users::127.0.0.1:" + upstreams.get("u2").port() + "::health_flags::healthy");

    consul.fail("u2");
    long ms = awaitMillis(Duration.ofSeconds(1), () -> !answering(12).contains("u2"));
    System.out.printf("failed TTL check → no traffic in %d ms%n", ms);
    assertThat(answering(60)).containsExactly("u1", "u3");

    consul.deregister("u3");
    awaitMillis(
        Duration.ofSeconds(1),
        () -> !envoy.admin("/clusters").body().contains(":" + upstreams.get("u3").port() + "::"));
    assertThat(answering(60)).containsExactly("u1");

    register("u3", List.of());
    consul.pass("u2");
    awaitMillis(Duration.ofSeconds(1), () -> answering(30).size() == 3);
    assertThat(answering(60)).containsExactly("u1", "u2", "u3");
  }

  @Test
  void aSplitByTagHoldsWithinThreePointsOverOneThousandRequests() {
    register("u1", List.of("v1"));
    register("u2", List.of("v2"));
    startSluice(
        """
        kind: Route
        name: users
        match: {prefix: /users}
        to:
          - {service: users, tags: [v1], weight: 90}
          - {service: users, tags: [v2], weight: 10}
        """);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      counts.merge(sluice.answer("/users"), 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsOnly("u1", "u2");
    assertThat(counts.get("u1") / 10.0)
        .as("percent to v1, counts %s", counts)
        .isBetween(87.0, 93.0);
  }

  @Test
  void aThirtySecondConsulOutageFailsNoRequestIsReportedAndConverges() throws Exception {
    register("u1", List.of());
    register("u2", List.of());
    startSluice("kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
    try (TrafficLoop traffic =
        new TrafficLoop(() -> sluice.answer("/users"), a -> a.equals("u1") || a.equals("u2"))) {
      Thread.sleep(500);
      consul.stop();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> sluice.status().get("registry").get("stale").asBoolean());
      assertThat(sluice.server().metrics().prometheus())
          .containsPattern("(?m)^sluice_registry_stale\\{[^}]*\\} 1(\\.0)?$");
      // every failed request is counted, by kind of request and reason, never by service
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  requestErrors("catalog_services", "io") > 0
                      && requestErrors("health_service", "io") > 0);
      assertThat(sluice.admin("/metrics").body()).doesNotContain("users");
      Thread.sleep(30_000);
      consul.startAgain(); // a dev agent comes back empty
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !sluice.status().get("registry").get("stale").asBoolean());
      // Consul answers with an empty catalog: the two instances are kept, not removed
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.status().get("registry").get("heldInstances").asInt() == 2);
      Thread.sleep(1000); // empty Consul, yet traffic flows
      register("u1", List.of()); // the services re-register, as agents do after a restart
      register("u2", List.of());
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> sluice.status().get("registry").get("heldInstances").asInt() == 0);
      Thread.sleep(500);
      traffic.close();
      assertThat(traffic.sent()).isGreaterThan(1000);
      assertThat(traffic.failures()).as("failed requests during the outage").isEmpty();
      assertThat(traffic.answers()).containsKeys("u1", "u2");
    }
    assertThat(sluice.server().metrics().prometheus())
        .containsPattern("(?m)^sluice_registry_stale\\{[^}]*\\} 0(\\.0)?$");
    // converged: a change after the outage reaches Envoy
    register("u3", List.of());
    await().atMost(Duration.ofSeconds(2)).until(() -> answering(30).contains("u3"));
  }

  /**
   * {@code sluice_consul_request_errors_total} with these labels, as {@code /metrics} shows it (0
   * when absent).
   */
  private double requestErrors(String endpoint, String reason) {
    Matcher m =
        Pattern.compile(
                "(?m)^sluice_consul_request_errors_total\\{(?=[^}]*endpoint=\""
                    + endpoint
                    + "\")(?=[^}]*reason=\""
                    + reason
                    + "\")[^}]*\\} (\\S+)$")
            .matcher(sluice.admin("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void anIndexThatGoesBackwardsIsResetWithoutABusyLoop() throws Exception {
    // A restarted agent may hold a query at an index it has not reached until the wait ends;
    // a short wait keeps the test short. The rule applies whatever the wait.
    blockingWait = Duration.ofSeconds(10);
    register("u1", List.of());
    startSluice("kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
    for (int i = 0; i < 100; i++) {
      consul.kv("bump/" + i, "x"); // raise the raft index well above what a fresh agent starts with
    }
    register("u2", List.of());
    await().atMost(Duration.ofSeconds(2)).until(() -> answering(20).contains("u2"));
    long before = consul.catalogIndex();

    consul.stop();
    consul.startAgain();
    assertThat(consul.catalogIndex()).as("a restarted dev agent starts over").isLessThan(before);
    register("u1", List.of());
    register("u2", List.of());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> sluice.status().get("registry").get("indexResets").asLong() >= 1);

    // settled: blocking queries wait; a busy loop would show the token bucket's 10 requests/s per
    // loop
    Thread.sleep(2000);
    long r0 = sluice.server().registry().status().requests();
    Thread.sleep(5000);
    long perSecond = (sluice.server().registry().status().requests() - r0) / 5;
    System.out.printf("Consul requests per second after the reset, idle: %d%n", perSecond);
    assertThat(perSecond).isLessThanOrEqualTo(1);
    assertThat(answering(30)).containsExactlyInAnyOrder("u1", "u2");
  }
}
