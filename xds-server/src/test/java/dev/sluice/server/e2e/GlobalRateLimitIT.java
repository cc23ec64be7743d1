package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RedisProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Global limits through real Envoys and Sluice's rate-limit service: one limit held across Envoys
 * and across Sluice replicas sharing Redis, shadow mode, and Redis outages by failure mode.
 */
class GlobalRateLimitIT {
  private static final String ALICE = "sk_alice_0123456789abcdef0123456789abcdef";
  private static final String BOB = "sk_bob_fedcba9876543210fedcba9876543210";

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private static String consumers() throws Exception {
    return "kind: Consumer\nname: alice\napiKeys: [\"sha256:"
        + ApiKeyAuthIT.sha256(ALICE)
        + "\"]\n---\n"
        + "kind: Consumer\nname: bob\napiKeys: [\"sha256:"
        + ApiKeyAuthIT.sha256(BOB)
        + "\"]\n";
  }

  private static SluiceFixture sluice(HttpUpstream orders, String gatewayExtra, String limit)
      throws Exception {
    SluiceFixture sluice = new SluiceFixture();
    sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
    sluice.writePolicy(
        "gateway.yaml",
        "kind: Gateway\nname: edge\nport: " + sluice.gatewayPort + "\n" + gatewayExtra);
    sluice.writePolicy("consumers.yaml", consumers());
    sluice.writePolicy(
        "routes.yaml",
        "kind: Route\nname: orders\nto: orders\nauth: {apiKey: true}\nglobalRateLimit:\n  rules:\n    - "
            + limit
            + "\n");
    return sluice;
  }

  private EnvoyProcess envoy(SluiceFixture sluice, String node) {
    return envoys
        .start(
            EnvoyExtension.edgeBootstrap(),
            EnvoyProcess.Options.ads(sluice.xdsPort)
                .node(node, "edge")
                .rateLimitPort(sluice.rateLimitPort))
        .awaitReady(Duration.ofSeconds(20));
  }

  @Test
  void twoEnvoysShareOneLimitPerConsumer() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = sluice(orders, "", "{requests: 100, per: minute, by: [consumer]}")) {
      sluice.start();
      // both Envoys bind the gateway port (SO_REUSEPORT): the kernel spreads connections over them
      EnvoyProcess one = envoy(sluice, "edge-1");
      EnvoyProcess two = envoy(sluice, "edge-2");

      int ok = 0;
      RawHttp.Response limited = null;
      for (int i = 0; i < 300; i++) {
        // a connection per request (RawHttp closes it), so the kernel picks an Envoy each time
        var r = RawHttp.send(null, sluice.gatewayPort, "GET", "/orders", "x-api-key: " + ALICE);
        if (r.status() == 200) {
          ok++;
        } else {
          assertThat(r.status()).isEqualTo(429);
          limited = r;
        }
      }
      assertThat(ok).isBetween(98, 102);
      assertThat(limited).isNotNull();
      assertThat(limited.header("x-ratelimit-limit")).startsWith("100");
      assertThat(limited.header("x-ratelimit-remaining")).isEqualTo("0");
      assertThat(limited.header("x-ratelimit-reset")).isNotNull();
      assertThat(one.stat("http.http-" + sluice.gatewayPort + ".downstream_rq_total").orElse(0))
          .as("edge-1 served")
          .isPositive();
      assertThat(two.stat("http.http-" + sluice.gatewayPort + ".downstream_rq_total").orElse(0))
          .as("edge-2 served")
          .isPositive();
      // another consumer has its own counter
      for (int i = 0; i < 20; i++) {
        assertThat(sluice.get("/orders", "x-api-key", BOB).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void twoSluiceReplicasSharingRedisEnforceOneLimit() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture a =
            sluice(orders, "", "{requests: 10, per: minute, by: [consumer]}").redis(redis.uri());
        SluiceFixture b =
            sluice(orders, "", "{requests: 10, per: minute, by: [consumer]}").redis(redis.uri())) {
      a.start();
      b.start();
      envoy(a, "edge-a");
      envoy(b, "edge-b");
      List<Integer> codes = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        codes.add((i % 2 == 0 ? a : b).get("/orders", "x-api-key", ALICE).statusCode());
      }
      assertThat(codes.stream().filter(c -> c == 200).count()).as("%s", codes).isEqualTo(10);
      assertThat(codes.stream().filter(c -> c == 429).count()).isEqualTo(20);
    }
  }

  @Test
  void shadowModeBlocksNothingAndCountsWhatItWouldHave() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice =
            sluice(orders, "", "{requests: 5, per: minute, by: [consumer], shadow: true}")) {
      sluice.start();
      envoy(sluice, "edge-1");
      for (int i = 0; i < 20; i++) {
        assertThat(sluice.get("/orders", "x-api-key", ALICE).statusCode()).isEqualTo(200);
      }
      String metrics = sluice.admin("/metrics").body();
      assertThat(metrics)
          .containsPattern(
              "(?m)^sluice_ratelimit_shadow_over_total\\{[^}]*domain=\"edge\"[^}]*\\} 15(\\.0)?$");
    }
  }

  /**
   * Three gateways sharing one Redis, each with its own Sluice and Envoy: failing open, failing
   * closed with the default failureStatus (429), and failing closed with 503.
   */
  @Test
  void
      withRedisDownAFailOpenGatewayServesFailClosedOnesAnswerTheirFailureStatusAndLimitsResumeWhenRedisIsBack()
          throws Exception {
    String limit = "{requests: 3, per: minute, by: [consumer]}";
    try (RedisProcess redis = RedisProcess.start();
        HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture open =
            sluice(orders, "globalRateLimit: {failOpen: true}\n", limit).redis(redis.uri());
        SluiceFixture closed429 =
            sluice(orders, "globalRateLimit: {failOpen: false}\n", limit).redis(redis.uri());
        SluiceFixture closed503 =
            sluice(orders, "globalRateLimit: {failOpen: false, failureStatus: 503}\n", limit)
                .redis(redis.uri())) {
      open.start();
      closed429.start();
      closed503.start();
      envoy(open, "edge-open");
      envoy(closed429, "edge-closed-429");
      envoy(closed503, "edge-closed-503");
      for (SluiceFixture gateway : List.of(open, closed429, closed503)) {
        assertThat(gateway.get("/orders", "x-api-key", ALICE).statusCode())
            .as("counted while Redis is up")
            .isEqualTo(200);
      }

      redis.stop();
      for (int i = 0; i < 5; i++) {
        assertThat(open.get("/orders", "x-api-key", BOB).statusCode())
            .as("fail open")
            .isEqualTo(200);
        var refused = closed429.get("/orders", "x-api-key", BOB);
        assertThat(refused.statusCode()).as("fail closed, failureStatus by default").isEqualTo(429);
        assertThat(refused.headers().firstValue("x-ratelimit-remaining"))
            .as("no limit was reached: no rate-limit headers")
            .isEmpty();
        assertThat(closed503.get("/orders", "x-api-key", BOB).statusCode())
            .as("fail closed, failureStatus: 503")
            .isEqualTo(503);
      }

      redis.startProcess();
      // the three gateways share Redis, domain and descriptors, hence counters: a consumer each
      record Probe(SluiceFixture gateway, String key) {}
      for (Probe p : List.of(new Probe(closed429, BOB), new Probe(closed503, ALICE))) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(15))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> p.gateway().get("/orders", "x-api-key", p.key()).statusCode() == 200);
        // counting again: Redis came back empty, so the window allows 3 in all, the one above
        // included
        HttpResponse<String> last = null;
        for (int i = 0; i < 3; i++) {
          last = p.gateway().get("/orders", "x-api-key", p.key());
        }
        assertThat(last.statusCode()).as("after Redis came back").isEqualTo(429);
        assertThat(last.headers().firstValue("x-ratelimit-remaining"))
            .as("a limit reached, as usual")
            .hasValue("0");
      }
    }
  }

  /**
   * An Envoy whose bootstrap has no {@code sluice_ratelimit} cluster cannot reach the service, and
   * its fail-closed gateway refuses limited requests with its failureStatus; once the Gateway names
   * the service's address, Sluice sends the cluster along and the limit holds.
   */
  @Test
  void aGatewayNamingItsServiceIsLimitedThroughEnvoysWhoseBootstrapHasNoRateLimitCluster()
      throws Exception {
    String failClosed = "globalRateLimit:\n  failOpen: false\n  failureStatus: 503\n";
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice =
            sluice(orders, failClosed, "{requests: 3, per: minute, by: [consumer]}")) {
      sluice.start();
      envoys
          .start(
              EnvoyExtension.edgeBootstrapWithout("sluice_ratelimit", sluice.dir),
              EnvoyProcess.Options.ads(sluice.xdsPort))
          .awaitReady(Duration.ofSeconds(20));
      assertThat(sluice.get("/orders", "x-api-key", ALICE).statusCode())
          .as("no cluster to the service")
          .isEqualTo(503);

      sluice.writePolicy(
          "gateway.yaml",
          "kind: Gateway\nname: edge\nport: "
              + sluice.gatewayPort
              + "\n"
              + failClosed
              + "  service: {address: 127.0.0.1:"
              + sluice.rateLimitPort
              + "}\n");
      // new connections only: the filter's cluster is part of the listener, and a kept-alive
      // connection stays on the replaced listener while Envoy drains it
      Awaitility.await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  RawHttp.send(null, sluice.gatewayPort, "GET", "/orders", "x-api-key: " + ALICE)
                          .status()
                      == 200);
      RawHttp.Response last = null;
      for (int i = 0; i < 3; i++) {
        last = RawHttp.send(null, sluice.gatewayPort, "GET", "/orders", "x-api-key: " + ALICE);
      }
      assertThat(last.status()).as("the 4th request of 3 per minute").isEqualTo(429);
      assertThat(last.header("x-ratelimit-limit")).startsWith("3");
      assertThat(
              RawHttp.send(null, sluice.gatewayPort, "GET", "/orders", "x-api-key: " + BOB)
                  .status())
          .as("another consumer, another counter")
          .isEqualTo(200);
      for (String type : List.of("Cluster", "Listener")) {
        assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", type))
            .as("%s NACKs", type)
            .isZero();
      }
    }
  }

  @Test
  void aPerPathLimitCannotBeDodgedWithQueryStrings() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = sluice(orders, "", "{requests: 2, per: minute, by: [path]}")) {
      sluice.start();
      envoy(sluice, "edge-1");
      List<Integer> statuses = new ArrayList<>();
      for (String path : List.of("/orders?x=1", "/orders?x=2", "/orders?x=3", "/orders")) {
        statuses.add(sluice.get(path, "x-api-key", ALICE).statusCode());
      }
      assertThat(statuses)
          .as("one counter for /orders, whatever the query")
          .containsExactly(200, 200, 429, 429);
      assertThat(sluice.get("/orders/42?x=1", "x-api-key", ALICE).statusCode())
          .as("another path, another counter")
          .isEqualTo(200);
    }
  }

  @Test
  void changingTheYamlChangesTheLimitWithoutARestart() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = sluice(orders, "", "{requests: 3, per: minute, by: [consumer]}")) {
      sluice.start();
      envoy(sluice, "edge-1");
      List<Integer> before = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        before.add(sluice.get("/orders", "x-api-key", ALICE).statusCode());
      }
      assertThat(before).containsExactly(200, 200, 200, 429);

      sluice.writePolicy(
          "routes.yaml",
          "kind: Route\nname: orders\nto: orders\nauth: {apiKey: true}\nglobalRateLimit:\n  rules:\n"
              + "    - {requests: 10, per: minute, by: [consumer]}\n");
      // the same descriptor and unit keep their count: 3 of the new 10 are used
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> sluice.get("/orders", "x-api-key", ALICE).statusCode() == 200);
      int passed = 1;
      while (sluice.get("/orders", "x-api-key", ALICE).statusCode() == 200) {
        passed++;
      }
      // 7; 8 when a minute boundary passed meanwhile (the sliding window weighs the old counts a
      // little less)
      assertThat(passed).as("requests passed under the new limit").isBetween(7, 8);
    }
  }

  /**
   * A burst straddling a window edge: a fixed window would let 2 × the limit through; the sliding
   * window lets at most limit + ⌊limit · d / W⌋ through for a burst lasting d
   * (docs/rate-limits.md).
   */
  @Test
  void aBurstAcrossAWindowEdgeStaysWithinTheDocumentedBound() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice =
            sluice(orders, "", "{requests: 20, per: second, by: [consumer]}").redis(redis.uri())) {
      sluice.start();
      envoy(sluice, "edge-1");
      assertThat(sluice.get("/orders", "x-api-key", BOB).statusCode())
          .isEqualTo(200); // warm the connections

      // A burst proves the bound only if it sent more than the bound; on a busy machine a burst
      // may not, so bursts are sent (each at its own window edge) until one does. Every burst,
      // full or not, must stay within the bound.
      boolean full = false;
      for (int attempt = 0; attempt < 20 && !full; attempt++) {
        full = burstWithinBound(sluice);
      }
      assertThat(full).as("a burst sent more requests than the bound within 20 tries").isTrue();
    }
  }

  /**
   * One burst from 150 ms before a second ends (windows are aligned to the epoch) to 150 ms after
   * it; whether it sent more than the bound.
   */
  private static boolean burstWithinBound(SluiceFixture sluice) throws Exception {
    long now = System.currentTimeMillis();
    long edge = (now / 1000 + 2) * 1000;
    Thread.sleep(edge - 150 - now);
    long t0 = System.nanoTime();
    AtomicInteger okCount = new AtomicInteger();
    AtomicInteger sentCount = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    for (int c = 0; c < 8; c++) {
      clients.execute(
          () -> {
            while (System.currentTimeMillis() < edge + 150) {
              sentCount.incrementAndGet();
              if (sluice.get("/orders", "x-api-key", ALICE).statusCode() == 200) {
                okCount.incrementAndGet();
              }
            }
          });
    }
    clients.shutdown();
    assertThat(clients.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    double d = (System.nanoTime() - t0) / 1e9;
    int ok = okCount.get();
    int sent = sentCount.get();
    int bound = 20 + (int) Math.floor(20 * d / 1.0);
    System.err.printf(
        "window-edge burst: %d of %d passed in %.3f s, bound %d%n", ok, sent, d, bound);
    assertThat(ok)
        .as(
            "%d of %d passed in a %.3f s burst across the edge (bound %d; a fixed window: 40)",
            ok, sent, d, bound)
        .isLessThanOrEqualTo(bound);
    return sent > bound;
  }
}
