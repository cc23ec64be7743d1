package dev.sluice.server.ratelimit;

import static dev.sluice.server.ratelimit.RateLimitFixtures.EPOCH;
import static dev.sluice.server.ratelimit.RateLimitFixtures.descriptor;
import static dev.sluice.server.ratelimit.RateLimitFixtures.perUnit;
import static dev.sluice.server.ratelimit.RateLimitFixtures.request;
import static dev.sluice.server.ratelimit.RateLimitFixtures.rule;
import static dev.sluice.server.ratelimit.RateLimitFixtures.shadow;
import static dev.sluice.server.ratelimit.RateLimitFixtures.table;
import static dev.sluice.server.ratelimit.RateLimitFixtures.unlimited;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.ratelimit.RateLimitTable.Unit;
import dev.sluice.server.ratelimit.RateLimitFixtures.TestClock;
import dev.sluice.server.telemetry.Metrics;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.testing.RedisProcess;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.lettuce.core.RedisCommandTimeoutException;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rate-limit service over a real {@code redis-server} (started here on a free port; see {@link
 * RedisProcess} for finding the binary): the same decisions as in memory, one limit for several
 * service instances, and Redis outages answered by the failure mode without stalling.
 */
class RedisStoreTest {
  private static final String EDGE = "edge";
  private static RedisProcess redis;

  /** Generous, for a busy machine: the tests about timeouts set their own. */
  private static final RateLimitOptions OPTIONS =
      RateLimitOptions.defaults().withStoreTimeout(Duration.ofSeconds(1));

  private final Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create());
  private final Metrics metrics = telemetry.metrics();
  private final AtomicReference<RateLimitTable> table = new AtomicReference<>(RateLimitTable.EMPTY);
  private final List<AutoCloseable> closing = new ArrayList<>();

  /** Every test counts its own consumer, so that tests sharing the Redis never meet. */
  private final String consumer = "c-" + UUID.randomUUID();

  @BeforeAll
  static void startRedis() {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @AfterEach
  void close() throws Exception {
    redis.restart();
    Collections.reverse(closing);
    for (AutoCloseable c : closing) {
      c.close();
    }
    telemetry.close();
  }

  private RedisStore store(Duration timeout) {
    RedisStore store = new RedisStore(redis.uri(), timeout);
    closing.add(store);
    store.ready(Duration.ofSeconds(5));
    return store;
  }

  private RateLimitService service(RateLimitOptions options, Clock clock) {
    return new RateLimitService(table::get, store(options.storeTimeout()), options, metrics, clock);
  }

  private RateLimitService service(RateLimitOptions options) {
    return service(options, Clock.systemUTC());
  }

  private static RateLimitResponse decide(RateLimitService service, RateLimitRequest request) {
    return service.decide(request).orTimeout(5, TimeUnit.SECONDS).join();
  }

  private static int admitted(RateLimitService service, RateLimitRequest request, int n) {
    int ok = 0;
    for (int i = 0; i < n; i++) {
      ok += decide(service, request).getOverallCode() == Code.OK ? 1 : 0;
    }
    return ok;
  }

  private RateLimitRequest mine(String... more) {
    String[] kv = new String[2 + more.length];
    kv[0] = "consumer";
    kv[1] = consumer;
    System.arraycopy(more, 0, kv, 2, more.length);
    return request(EDGE, kv);
  }

  @Test
  void limitsHoldPerValueNestedUnlimitedAndShadowAsInMemory() {
    table.set(
        table(
            rule(EDGE, perUnit(5, Unit.HOUR), "consumer", null),
            rule(EDGE, perUnit(2, Unit.HOUR), "consumer", null, "path", null),
            rule(EDGE, unlimited(), "consumer", "monitoring"),
            rule(EDGE, shadow(3, Unit.HOUR), "remote_address", null)));
    RateLimitService service = service(OPTIONS);

    RateLimitResponse first = decide(service, mine());
    assertThat(first.getStatuses(0).getLimitRemaining()).isEqualTo(4);
    assertThat(first.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(5);
    assertThat(admitted(service, mine(), 9)).isEqualTo(4);
    assertThat(admitted(service, request(EDGE, "consumer", consumer + "-other"), 9))
        .as("every value its own counter")
        .isEqualTo(5);
    assertThat(admitted(service, mine("path", "/a"), 4)).as("nested").isEqualTo(2);
    assertThat(admitted(service, mine("path", "/b"), 4)).as("nested, another path").isEqualTo(2);
    assertThat(admitted(service, request(EDGE, "consumer", "monitoring"), 20))
        .as("unlimited")
        .isEqualTo(20);
    assertThat(
            redis.command(
                "EXISTS sluice:rl:{edge|consumer=monitoring|hour}:"
                    + (System.currentTimeMillis() / 3_600_000)))
        .as("unlimited is never counted")
        .isEqualTo(":0");

    String ip = "ip-" + consumer;
    assertThat(admitted(service, request(EDGE, "remote_address", ip), 8))
        .as("shadow never blocks")
        .isEqualTo(8);
    assertThat(
            metrics.get(
                "sluice_ratelimit_shadow_over_total",
                "domain",
                EDGE,
                "descriptor",
                "remote_address",
                "policy",
                "Route/test (policies/test.yaml:1:1)"))
        .isEqualTo(5);
    assertThat(decide(service, request(EDGE, "remote_address", ip)).getStatuses(0).getCode())
        .isEqualTo(Code.OVER_LIMIT);
  }

  @Test
  void countersExpireAfterTwoWindows() {
    table.set(table(rule(EDGE, perUnit(5, Unit.MINUTE), "consumer", null)));
    TestClock clock = new TestClock(EPOCH + 1_000);
    decide(service(OPTIONS, clock), mine());
    String key = "sluice:rl:{edge|consumer=" + consumer + "|minute}:" + (EPOCH / 60_000);
    assertThat(redis.command("GET " + key)).isEqualTo("$1");
    long ttl = Long.parseLong(redis.command("PTTL " + key).substring(1));
    assertThat(ttl).isBetween(115_000L, 121_000L);
  }

  @Test
  void aBurstAcrossAWindowEdgeIsDecidedAsInMemory() {
    table.set(table(rule(EDGE, perUnit(100, Unit.MINUTE), "consumer", null)));
    TestClock clock = new TestClock(0);
    RateLimitService inRedis = service(OPTIONS, clock);
    RateLimitService inMemory =
        new RateLimitService(
            table::get, new InMemoryStore(), RateLimitOptions.defaults(), metrics, clock);
    long edge = EPOCH + 60_000 * 7;
    List<Integer> admittedByRedis = new ArrayList<>();
    for (long at : new long[] {edge - 2_000, edge + 6_000, edge + 30_000, edge + 61_000}) {
      clock.set(at);
      int redisOk = admitted(inRedis, mine(), 150);
      int memoryOk = admitted(inMemory, mine(), 150);
      assertThat(redisOk).as("at %d ms from the edge", at - edge).isEqualTo(memoryOk);
      admittedByRedis.add(redisOk);
    }
    // 2 s before the edge: 100; 6 s after: 100·6/60 = 10 more (within the bound for 8 s: 100 + 13)
    assertThat(admittedByRedis).containsExactly(100, 10, 40, 50);
  }

  @Test
  void twoServiceInstancesSharingRedisEnforceOneLimit() throws Exception {
    table.set(table(rule(EDGE, perUnit(10, Unit.MINUTE), "consumer", null)));
    List<RateLimitServiceGrpc.RateLimitServiceBlockingStub> stubs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Telemetry own = Telemetry.withSpanExporter(InMemorySpanExporter.create());
      closing.add(own);
      RateLimitOptions options = OPTIONS.withRedis(redis.uri());
      RateLimitServer server = new RateLimitServer("127.0.0.1", 0, options, own.metrics()).start();
      closing.add(server);
      server.table(table.get());
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      closing.add(channel::shutdownNow);
      stubs.add(RateLimitServiceGrpc.newBlockingStub(channel));
    }
    int ok = 0;
    for (int i = 0; i < 30; i++) {
      RateLimitResponse r =
          stubs.get(i % 2).withDeadlineAfter(5, TimeUnit.SECONDS).shouldRateLimit(mine());
      ok += r.getOverallCode() == Code.OK ? 1 : 0;
    }
    assertThat(ok).isEqualTo(10);
    RateLimitResponse other =
        stubs
            .get(1)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .shouldRateLimit(request(EDGE, "consumer", consumer + "-b"));
    assertThat(other.getOverallCode()).as("another consumer is unaffected").isEqualTo(Code.OK);
  }

  @Test
  void redisStoppedIsAnsweredByTheFailureModeAndCountingResumesWhenItReturns() {
    table.set(table(rule(EDGE, perUnit(3, Unit.HOUR), "consumer", null)));
    RateLimitService open = service(OPTIONS);
    RateLimitService closed = service(OPTIONS.withFailureMode(FailureMode.CLOSED));
    assertThat(admitted(open, mine(), 2)).isEqualTo(2);

    redis.stop();
    long start = System.nanoTime();
    assertThat(admitted(open, mine(), 10)).as("fail open").isEqualTo(10);
    assertThat(admitted(closed, mine(), 10)).as("fail closed").isZero();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("20 requests during the outage")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(
            metrics.get(
                "sluice_ratelimit_store_errors_total", "store", "redis", "failure_mode", "OPEN"))
        .isEqualTo(10);

    redis.restart();
    // Redis comes back empty; Lettuce reconnects, the script is loaded again (NOSCRIPT → EVAL)
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                decide(closed, request(EDGE, "consumer", consumer + "-probe")).getOverallCode()
                        == Code.OK
                    // counted, not waved through by the failure mode
                    && decide(open, request(EDGE, "consumer", consumer + "-probe"))
                        .getStatuses(0)
                        .hasCurrentLimit());
    assertThat(admitted(open, mine(), 5)).as("counting again").isEqualTo(3);
    assertThat(admitted(closed, mine(), 2)).isZero();
  }

  @Test
  void aFrozenRedisStallsNothingRequestsReturnWithinTheTimeout() throws Exception {
    table.set(table(rule(EDGE, perUnit(1000, Unit.HOUR), "consumer", null)));
    RateLimitService service =
        service(RateLimitOptions.defaults().withStoreTimeout(Duration.ofMillis(150)));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> decide(service, mine()).getStatuses(0).hasCurrentLimit());
    redis.pause();
    try {
      long start = System.nanoTime();
      List<CompletableFuture<RateLimitResponse>> answers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        answers.add(service.decide(mine()));
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(3, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(answers).allSatisfy(a -> assertThat(a.join().getOverallCode()).isEqualTo(Code.OK));
      assertThat(took)
          .as("200 concurrent requests against a frozen Redis")
          .isLessThan(Duration.ofMillis(1500));
    } finally {
      redis.resume();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> decide(service, mine()).getStatuses(0).hasCurrentLimit());
  }

  @Test
  void theStoreTimesOutItsOwnCommands() {
    RedisStore store = store(Duration.ofMillis(120));
    assertThat(
            store
                .hit("t-" + consumer, 5, 60_000, 1, true, System.currentTimeMillis())
                .join()
                .admitted())
        .isTrue();
    redis.pause();
    try {
      long start = System.nanoTime();
      CompletableFuture<SlidingWindow.Counts> hit =
          store.hit("t-" + consumer, 5, 60_000, 1, true, System.currentTimeMillis());
      assertThatThrownBy(() -> hit.get(3, TimeUnit.SECONDS))
          .hasCauseInstanceOf(RedisCommandTimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(Duration.ofMillis(100), Duration.ofMillis(1000));
    } finally {
      redis.resume();
    }
  }

  @Test
  void aServiceStartedWhileRedisIsDownConnectsWhenItAppears() {
    table.set(table(rule(EDGE, perUnit(2, Unit.HOUR), "consumer", null)));
    redis.stop();
    RateLimitService service = service(OPTIONS.withFailureMode(FailureMode.CLOSED));
    assertThat(decide(service, mine()).getOverallCode()).isEqualTo(Code.OVER_LIMIT);
    redis.restart();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> decide(service, mine()).getOverallCode() == Code.OK);
    assertThat(admitted(service, mine(), 3)).isEqualTo(1);
  }

  @Test
  void severalDescriptorsAreCountedInOneRequest() {
    table.set(
        table(
            rule(EDGE, perUnit(2, Unit.MINUTE), "consumer", null),
            rule(EDGE, perUnit(3, Unit.MINUTE), "path", null)));
    RateLimitService service = service(OPTIONS);
    RateLimitRequest both =
        request(EDGE, descriptor("consumer", consumer), descriptor("path", consumer));
    assertThat(decide(service, both).getStatusesList())
        .extracting(s -> s.getLimitRemaining())
        .containsExactly(1, 2);
    assertThat(admitted(service, both, 3)).isEqualTo(1);
  }
}
