package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upstream policies through a real Envoy: hashing, ejection, health checks, circuit breaking,
 * failover, HTTP/2.
 */
class UpstreamFeaturesIT {
  private static final String ROUTE = "kind: Route\nname: users\nto: users\n---\n";

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private final List<HttpUpstream> upstreams = new ArrayList<>();
  private SluiceFixture sluice;
  private EnvoyProcess envoy;

  @BeforeEach
  void start() {
    for (String name : List.of("u1", "u2", "u3")) {
      upstreams.add(HttpUpstream.start(name));
    }
    sluice = new SluiceFixture();
  }

  @AfterEach
  void stop() {
    sluice.close();
    upstreams.forEach(HttpUpstream::close);
  }

  private HttpUpstream u(int i) {
    return upstreams.get(i - 1);
  }

  /** users = u1..u{n}, each with a zone. */
  private void registry(int n, String... zones) {
    StringBuilder sb = new StringBuilder("services:\n  users:\n");
    for (int i = 1; i <= n; i++) {
      sb.append("    - {address: 127.0.0.1, port: ")
          .append(u(i).port())
          .append(zones.length >= i ? ", zone: " + zones[i - 1] : "")
          .append("}\n");
    }
    sluice.writeRegistry(sb.toString());
  }

  private void serve(String policies) {
    sluice.writePolicy("routes.yaml", policies);
    sluice.start();
    envoy = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
  }

  private Set<String> answering(int n) {
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      seen.add(sluice.answer("/"));
    }
    return seen;
  }

  @Test
  void consistentHashingSendsTheSameHeaderValueToTheSameInstanceEveryTime() {
    registry(3);
    serve(
        ROUTE
            + "kind: Upstream\nname: users\nloadBalancer: {algorithm: ring-hash, hashOn: {header: x-user}}\n");
    Set<String> instancesUsed = new TreeSet<>();
    for (String user :
        List.of("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")) {
      Set<String> answers = new TreeSet<>();
      for (int i = 0; i < 100; i++) {
        HttpResponse<String> r = sluice.get("/", "x-user", user);
        answers.add(r.body());
      }
      assertThat(answers).as("instances that answered %s in 100 requests", user).hasSize(1);
      instancesUsed.addAll(answers);
    }
    assertThat(instancesUsed).as("different keys spread over the instances").hasSizeGreaterThan(1);
    assertThat(envoy.configDump().toString()).contains("RING_HASH");
  }

  @Test
  void anEjectedEndpointStopsGettingTrafficAndReturnsAfterTheEjectionTime() {
    registry(2);
    u(2).status(503);
    serve(
        ROUTE
            + """
        kind: Upstream
        name: users
        outlierDetection: {consecutive5xx: 3, interval: 500ms, baseEjectionTime: 2s, maxEjectionPercent: 50}
        """);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              for (int i = 0; i < 10; i++) {
                sluice.get("/");
              }
              return answering(20).equals(Set.of("u1"));
            });
    assertThat(
            envoy
                .stat("cluster.users.outlier_detection.ejections_enforced_consecutive_5xx")
                .orElse(0))
        .isGreaterThanOrEqualTo(1);
    u(2).status(200);
    long t0 = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> answering(10).contains("u2"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).as("back after the 2s ejection time").isGreaterThan(500);
  }

  @Test
  void anEndpointFailingItsActiveHealthCheckGetsNoTrafficUntilItPassesAgain() {
    registry(2);
    serve(
        ROUTE
            + """
        kind: Upstream
        name: users
        healthCheck: {http: /healthz, interval: 200ms, timeout: 100ms, unhealthyThreshold: 2, healthyThreshold: 1}
        """);
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(20).equals(Set.of("u1", "u2")));
    u(2).status("/healthz", 503);
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(20).equals(Set.of("u1")));
    assertThat(answering(40)).containsExactly("u1");
    u(2).status("/healthz", 200);
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(20).contains("u2"));
  }

  @Test
  void aTcpHealthCheckTakesAClosedEndpointOutOfRotation() {
    registry(2);
    serve(
        ROUTE
            + "kind: Upstream\nname: users\nhealthCheck: {tcp: true, interval: 200ms, timeout: 100ms, unhealthyThreshold: 1, healthyThreshold: 1}\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(20).equals(Set.of("u1", "u2")));
    u(2).close();
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(20).equals(Set.of("u1")));
    assertThat(answering(40))
        .as("no failed request once the check has seen it")
        .containsExactly("u1");
  }

  @Test
  void discoveryHealthAndActiveChecksCombineAnEndpointUnhealthyInEitherIsNotUsed() {
    registry(2);
    serve(
        ROUTE
            + "kind: Upstream\nname: users\nhealthCheck: {http: /healthz, interval: 200ms, timeout: 100ms, unhealthyThreshold: 1, healthyThreshold: 1}\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(20).equals(Set.of("u1", "u2")));
    // passing Envoy's checks, but critical in the registry
    sluice.writeRegistry(
        "services:\n  users:\n    - {address: 127.0.0.1, port: "
            + u(1).port()
            + "}\n"
            + "    - {address: 127.0.0.1, port: "
            + u(2).port()
            + ", health: critical}\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(20).equals(Set.of("u1")));
  }

  @Test
  void theCircuitBreakerShedsRequestsBeyondItsLimits() throws Exception {
    registry(1);
    u(1).delay(Duration.ofMillis(800));
    serve(
        ROUTE
            + "kind: Upstream\nname: users\ncircuitBreaker: {maxConnections: 1, maxPendingRequests: 1, maxRequests: 1}\n");
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      inFlight.add(CompletableFuture.supplyAsync(() -> sluice.get("/")));
    }
    Map<Integer, Integer> codes = new HashMap<>();
    boolean overloadedHeader = false;
    for (var f : inFlight) {
      HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
      codes.merge(r.statusCode(), 1, Integer::sum);
      overloadedHeader |= r.headers().firstValue("x-envoy-overloaded").isPresent();
    }
    assertThat(codes).as("status codes of 6 concurrent requests").containsKeys(200, 503);
    assertThat(overloadedHeader).as("Envoy marks shed requests x-envoy-overloaded").isTrue();
    assertThat(envoy.stat("cluster.users.upstream_rq_pending_overflow").orElse(0))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void theGatewaysZoneIsPreferredAndTheOtherZoneTakesOverWhenItFails() {
    registry(2, "zone-a", "zone-b");
    sluice.writePolicy(
        "gateway.yaml",
        "kind: Gateway\nname: edge\nport: " + sluice.gatewayPort + "\nzone: zone-a\n");
    serve(
        ROUTE
            + """
        kind: Upstream
        name: users
        zoneFailover: true
        healthCheck: {http: /healthz, interval: 200ms, timeout: 100ms, unhealthyThreshold: 2, healthyThreshold: 1}
        """);
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(10).equals(Set.of("u1")));
    assertThat(answering(50)).as("only the local zone while it is healthy").containsExactly("u1");
    u(1).status("/healthz", 503);
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(20).equals(Set.of("u2")));
    u(1).status("/healthz", 200);
    await().atMost(Duration.ofSeconds(5)).until(() -> answering(20).equals(Set.of("u1")));
  }

  @Test
  void leastRequestAndRandomBalanceOverEveryInstance() {
    registry(3);
    serve(ROUTE + "kind: Upstream\nname: users\nloadBalancer: {algorithm: least-request}\n");
    assertThat(answering(90)).containsExactly("u1", "u2", "u3");
    assertThat(envoy.configDump().toString()).contains("LEAST_REQUEST");
    sluice.writePolicy(
        "routes.yaml", ROUTE + "kind: Upstream\nname: users\nloadBalancer: {algorithm: random}\n");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> envoy.configDump().toString().contains("\"lb_policy\":\"RANDOM\""));
    assertThat(answering(90)).containsExactly("u1", "u2", "u3");
  }

  @Test
  void aGrpcServiceIsReachedOverHttp2ThroughTheGateway() throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    Server grpc =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(health.getHealthService())
            .build()
            .start();
    try {
      health.setStatus("echo", HealthCheckResponse.ServingStatus.SERVING);
      sluice.writeRegistry("services:\n  echo: [\"127.0.0.1:" + grpc.getPort() + "\"]\n");
      serve(
          "kind: Route\nname: grpc\nmatch: {prefix: /grpc.health.v1.Health/}\nto: echo\n---\n"
              + "kind: Upstream\nname: echo\nprotocol: grpc\n");
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", sluice.gatewayPort).usePlaintext().build();
      try {
        HealthCheckResponse r =
            HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("echo").build());
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      } finally {
        channel.shutdownNow();
      }
      assertThat(envoy.stat("cluster.echo.upstream_cx_http2_total").orElse(0))
          .isGreaterThanOrEqualTo(1);
    } finally {
      grpc.shutdownNow();
    }
  }
}
