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

import com.google.protobuf.UInt64Value;
import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.ratelimit.RateLimitTable.Unit;
import dev.sluice.server.ratelimit.RateLimitFixtures.TestClock;
import dev.sluice.server.telemetry.Metrics;
import dev.sluice.server.telemetry.Telemetry;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rate-limit service over the in-memory store, with a clock the tests move. */
class RateLimitServiceTest {
  private static final String EDGE = "edge";
  private final Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create());
  private final Metrics metrics = telemetry.metrics();

  /** 10 s into a minute. */
  private final TestClock clock = new TestClock(EPOCH + 10_000);

  private final AtomicReference<RateLimitTable> table = new AtomicReference<>(RateLimitTable.EMPTY);
  private final InMemoryStore store = new InMemoryStore();

  @AfterEach
  void close() {
    store.close();
    telemetry.close();
  }

  private RateLimitService service() {
    return service(store, RateLimitOptions.defaults());
  }

  private RateLimitService service(CounterStore store, RateLimitOptions options) {
    return new RateLimitService(table::get, store, options, metrics, clock);
  }

  private static RateLimitResponse decide(RateLimitService service, RateLimitRequest request) {
    return service.decide(request).join();
  }

  /** How many of {@code n} identical requests are answered OK. */
  private static int admitted(RateLimitService service, RateLimitRequest request, int n) {
    int ok = 0;
    for (int i = 0; i < n; i++) {
      if (decide(service, request).getOverallCode() == Code.OK) {
        ok++;
      }
    }
    return ok;
  }

  @Test
  void theLimitHoldsAndEachStatusCarriesWhatEnvoyNeedsForTheHeaders() {
    table.set(table(rule(EDGE, perUnit(100, Unit.MINUTE), "consumer", null)));
    RateLimitService service = service();
    RateLimitRequest alice = request(EDGE, "consumer", "alice");

    RateLimitResponse first = decide(service, alice);
    assertThat(first.getOverallCode()).isEqualTo(Code.OK);
    DescriptorStatus s = first.getStatuses(0);
    assertThat(s.getCode()).isEqualTo(Code.OK);
    assertThat(s.getCurrentLimit().getRequestsPerUnit()).isEqualTo(100);
    assertThat(s.getCurrentLimit().getUnit()).isEqualTo(RateLimitResponse.RateLimit.Unit.MINUTE);
    assertThat(s.getLimitRemaining()).isEqualTo(99);
    // 10 s into the minute, requests still pass: the window ends in 50 s
    assertThat(s.getDurationUntilReset().getSeconds()).isEqualTo(50);

    assertThat(admitted(service, alice, 149)).isEqualTo(99);
    RateLimitResponse over = decide(service, alice);
    assertThat(over.getOverallCode()).isEqualTo(Code.OVER_LIMIT);
    assertThat(over.getStatuses(0).getCode()).isEqualTo(Code.OVER_LIMIT);
    assertThat(over.getStatuses(0).getLimitRemaining()).isZero();
    assertThat(over.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(100);
    // blocked: the next request passes when this window's 100 weigh less than 99, 0.6 s into the
    // next
    assertThat(over.getStatuses(0).getDurationUntilReset().getSeconds()).isEqualTo(51);

    assertThat(metrics.get("sluice_ratelimit_decisions_total", "domain", EDGE, "code", "OK"))
        .isEqualTo(100);
    assertThat(
            metrics.get("sluice_ratelimit_decisions_total", "domain", EDGE, "code", "OVER_LIMIT"))
        .isEqualTo(51);
    assertThat(metrics.prometheus()).contains("sluice_ratelimit_decision_seconds_count");
  }

  @Test
  void everyValueHasACounterOfItsOwnAndOtherDomainsAreUntouched() {
    table.set(table(rule(EDGE, perUnit(3, Unit.HOUR), "consumer", null)));
    RateLimitService service = service();
    assertThat(admitted(service, request(EDGE, "consumer", "alice"), 5)).isEqualTo(3);
    assertThat(admitted(service, request(EDGE, "consumer", "bob"), 5)).isEqualTo(3);
    assertThat(admitted(service, request("internal", "consumer", "alice"), 5)).isEqualTo(5);
    assertThat(metrics.get("sluice_ratelimit_decisions_total", "domain", "unknown", "code", "OK"))
        .as("a domain of no rule is no label of its own")
        .isEqualTo(5);
    // a value with the separators in it is a different counter, not alice's
    assertThat(admitted(service, request(EDGE, "consumer", "alice|consumer=alice"), 5))
        .isEqualTo(3);
  }

  @Test
  void aFixedValueRuleWinsOverAnyValueAndUnlimitedNeverCounts() {
    table.set(
        table(
            rule(EDGE, perUnit(2, Unit.SECOND), "consumer", null),
            rule(EDGE, unlimited(), "consumer", "monitoring")));
    RateLimitService service = service();
    RateLimitResponse r = decide(service, request(EDGE, "consumer", "monitoring"));
    assertThat(r.getStatuses(0).hasCurrentLimit()).as("unlimited shows in no header").isFalse();
    assertThat(admitted(service, request(EDGE, "consumer", "monitoring"), 50)).isEqualTo(50);
    assertThat(admitted(service, request(EDGE, "consumer", "alice"), 5)).isEqualTo(2);
    assertThat(store.size()).as("only alice is counted").isEqualTo(1);
  }

  @Test
  void aDescriptorNoRuleMatchesIsOk() {
    table.set(table(rule(EDGE, perUnit(1, Unit.MINUTE), "consumer", null)));
    RateLimitService service = service();
    assertThat(admitted(service, request(EDGE, "remote_address", "10.0.0.1"), 5)).isEqualTo(5);
    assertThat(admitted(service, request(EDGE, "consumer", "alice", "path", "/"), 5))
        .as("another shape")
        .isEqualTo(5);
    RateLimitResponse r = decide(service, request(EDGE, "remote_address", "10.0.0.1"));
    assertThat(r.getStatusesCount()).isEqualTo(1);
    assertThat(r.getStatuses(0).getCode()).isEqualTo(Code.OK);
    assertThat(r.getStatuses(0).hasCurrentLimit()).isFalse();
  }

  @Test
  void shadowRulesAreCountedAndReportedButNeverBlock() {
    table.set(table(rule(EDGE, shadow(5, Unit.MINUTE), "consumer", null)));
    RateLimitService service = service();
    RateLimitRequest alice = request(EDGE, "consumer", "alice");
    assertThat(admitted(service, alice, 5)).isEqualTo(5);
    RateLimitResponse sixth = decide(service, alice);
    assertThat(sixth.getOverallCode()).isEqualTo(Code.OK);
    assertThat(sixth.getStatuses(0).getCode()).as("reported").isEqualTo(Code.OVER_LIMIT);
    assertThat(sixth.getStatuses(0).getLimitRemaining()).isZero();
    assertThat(sixth.getStatuses(0).hasCurrentLimit())
        .as("no X-RateLimit headers for a limit that is not enforced")
        .isFalse();
    assertThat(admitted(service, alice, 14)).isEqualTo(14);
    assertThat(
            metrics.get(
                "sluice_ratelimit_shadow_over_total",
                "domain",
                EDGE,
                "descriptor",
                "consumer",
                "policy",
                "Route/test (policies/test.yaml:1:1)"))
        .isEqualTo(15);
    assertThat(metrics.prometheus())
        .containsPattern("sluice_ratelimit_shadow_over_total\\{[^}]*domain=\"edge\"[^}]*\\} 15");
  }

  @Test
  void nestedDescriptorsCountEachPairOfValues() {
    table.set(
        table(
            rule(EDGE, perUnit(2, Unit.MINUTE), "consumer", null, "path", null),
            rule(EDGE, perUnit(5, Unit.MINUTE), "consumer", null, "path", "/login")));
    RateLimitService service = service();
    assertThat(admitted(service, request(EDGE, "consumer", "alice", "path", "/orders"), 4))
        .isEqualTo(2);
    assertThat(admitted(service, request(EDGE, "consumer", "alice", "path", "/users"), 4))
        .isEqualTo(2);
    assertThat(admitted(service, request(EDGE, "consumer", "bob", "path", "/orders"), 4))
        .isEqualTo(2);
    assertThat(admitted(service, request(EDGE, "consumer", "alice", "path", "/login"), 9))
        .as("the more specific rule")
        .isEqualTo(5);
  }

  @Test
  void oneDescriptorOverLimitBlocksTheRequestAndTheHeadersFollowTheTightestStatus() {
    table.set(
        table(
            rule(EDGE, perUnit(100, Unit.MINUTE), "consumer", null),
            rule(EDGE, perUnit(2, Unit.SECOND), "path", null)));
    RateLimitService service = service();
    RateLimitRequest both = request(EDGE, descriptor("consumer", "alice"), descriptor("path", "/"));
    RateLimitResponse r = decide(service, both);
    assertThat(r.getStatusesList())
        .extracting(DescriptorStatus::getLimitRemaining)
        .containsExactly(99, 1);
    decide(service, both);
    RateLimitResponse third = decide(service, both);
    assertThat(third.getOverallCode()).isEqualTo(Code.OVER_LIMIT);
    assertThat(third.getStatusesList())
        .extracting(DescriptorStatus::getCode)
        .containsExactly(Code.OK, Code.OVER_LIMIT);
  }

  @Test
  void hitsAddendCountsSeveralHitsAtOnce() {
    table.set(table(rule(EDGE, perUnit(10, Unit.MINUTE), "consumer", null)));
    RateLimitService service = service();
    RateLimitRequest fourAtOnce =
        request(EDGE, "consumer", "alice").toBuilder().setHitsAddend(4).build();
    assertThat(admitted(service, fourAtOnce, 3)).isEqualTo(2);
    RateLimitRequest perDescriptor =
        RateLimitRequest.newBuilder()
            .setDomain(EDGE)
            .addDescriptors(
                descriptor("consumer", "alice").toBuilder().setHitsAddend(UInt64Value.of(2)))
            .build();
    assertThat(admitted(service, perDescriptor, 2)).isEqualTo(1);
    assertThat(admitted(service, request(EDGE, "consumer", "alice"), 1)).isZero();
  }

  /**
   * The documented bound (SlidingWindow, docs/rate-limits.md): a burst of length d across a window
   * edge admits at most limit + ⌊limit·d/W⌋; a fixed window would admit 2·limit.
   */
  @ParameterizedTest(name = "burst {0} ms before and {1} ms after the minute")
  @CsvSource({"1, 1", "500, 500", "1, 6000", "3000, 3000", "30000, 30000", "1, 59999"})
  void aBurstAcrossAWindowEdgeStaysWithinTheDocumentedBound(long before, long after) {
    long limit = 100;
    long window = 60_000;
    table.set(table(rule(EDGE, perUnit(limit, Unit.MINUTE), "consumer", null)));
    RateLimitService service = service();
    RateLimitRequest alice = request(EDGE, "consumer", "alice");
    long edge = EPOCH + 5 * window;
    clock.set(edge - before);
    int first = admitted(service, alice, 300);
    clock.set(edge + after);
    int second = admitted(service, alice, 300);
    long bound = limit + Math.floorDiv(limit * (before + after), window);
    assertThat(first).isEqualTo(100);
    assertThat(first + second)
        .as("admitted within %d ms across the edge", before + after)
        .isLessThanOrEqualTo((int) bound);
    // the second burst gets exactly what the previous window's weight leaves: the bound is tight
    assertThat(second).isEqualTo((int) Math.floorDiv(limit * after, window));
  }

  @ParameterizedTest(name = "one request every {0} ms")
  @CsvSource({"610, 300", "600, 298"})
  void aSteadyStreamNearTheLimitPassesAcrossEdges(long every, int passing) {
    // 100/min for five minutes: just under the limit everything passes; at exactly the limit the
    // estimate (which assumes the previous minute evenly spread) refuses one request at each edge
    table.set(table(rule(EDGE, perUnit(100, Unit.MINUTE), "consumer", null)));
    RateLimitService service = service();
    clock.set(EPOCH);
    int ok = 0;
    for (int i = 0; i < 300; i++) {
      ok += decide(service, request(EDGE, "consumer", "alice")).getOverallCode() == Code.OK ? 1 : 0;
      clock.advance(every);
    }
    assertThat(ok).isEqualTo(passing);
  }

  @Test
  void aNewTableChangesTheLimitsOfTheNextRequest() {
    RateLimitService service = service();
    RateLimitRequest alice = request(EDGE, "consumer", "alice");
    assertThat(admitted(service, alice, 5)).as("no rules yet").isEqualTo(5);
    table.set(table(rule(EDGE, perUnit(3, Unit.MINUTE), "consumer", null)));
    assertThat(admitted(service, alice, 5)).isEqualTo(3);
    table.set(table(rule(EDGE, perUnit(5, Unit.MINUTE), "consumer", null)));
    assertThat(admitted(service, alice, 5)).as("the count is kept, the limit is new").isEqualTo(2);
  }

  @Test
  void anEmptyDomainIsAnInvalidArgument() {
    assertThatThrownBy(() -> service().decide(RateLimitRequest.newBuilder().build()).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  /** A store that always fails, or never answers. */
  private static CounterStore broken(boolean hang) {
    return new CounterStore() {
      @Override
      public CompletableFuture<SlidingWindow.Counts> hit(
          String key, long limit, long windowMillis, long hits, boolean enforce, long nowMillis) {
        return hang
            ? new CompletableFuture<>()
            : CompletableFuture.failedFuture(new IllegalStateException("down"));
      }

      @Override
      public String name() {
        return "broken";
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void aFailingStoreIsAnsweredByTheFailureMode() {
    table.set(
        table(
            rule(EDGE, perUnit(1, Unit.MINUTE), "consumer", null),
            rule(EDGE, shadow(1, Unit.MINUTE), "path", null)));
    RateLimitRequest alice = request(EDGE, "consumer", "alice");

    RateLimitResponse open = decide(service(broken(false), RateLimitOptions.defaults()), alice);
    assertThat(open.getOverallCode()).isEqualTo(Code.OK);
    assertThat(open.getStatuses(0).hasCurrentLimit()).isFalse();

    RateLimitService closed =
        service(broken(false), RateLimitOptions.defaults().withFailureMode(FailureMode.CLOSED));
    RateLimitResponse denied = decide(closed, alice);
    assertThat(denied.getOverallCode()).isEqualTo(Code.OVER_LIMIT);
    assertThat(denied.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(1);
    assertThat(decide(closed, request(EDGE, "path", "/")).getOverallCode())
        .as("shadow rules never block")
        .isEqualTo(Code.OK);

    RateLimitService unavailable =
        service(
            broken(false), RateLimitOptions.defaults().withFailureMode(FailureMode.UNAVAILABLE));
    assertThatThrownBy(() -> decide(unavailable, alice))
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

    assertThat(
            metrics.get(
                "sluice_ratelimit_store_errors_total", "store", "broken", "failure_mode", "OPEN"))
        .isEqualTo(2);
    assertThat(
            metrics.get(
                "sluice_ratelimit_store_errors_total", "store", "broken", "failure_mode", "CLOSED"))
        .isEqualTo(1);
  }

  /**
   * A rule from a policy carries its gateway's failOpen, which wins over the service's own mode. A
   * gateway failing closed is answered with an error, so that its Envoys refuse with the filter's
   * status_on_error (the gateway's failureStatus) instead of OVER_LIMIT's 429 and headers.
   */
  @Test
  void aRulesOwnFailureModeWinsAndFailingClosedIsAnErrorForEnvoysFailureStatus() {
    RateLimitTable.Rule perConsumer = rule(EDGE, perUnit(1, Unit.MINUTE), "consumer", null);
    RateLimitTable.Rule perPath = rule(EDGE, perUnit(1, Unit.MINUTE), "path", null);
    table.set(
        table(
            new RateLimitTable.Rule(
                EDGE,
                perConsumer.entries(),
                perConsumer.limit(),
                perConsumer.policy(),
                Optional.of(false)),
            new RateLimitTable.Rule(
                EDGE, perPath.entries(), perPath.limit(), perPath.policy(), Optional.of(true))));
    RateLimitService service =
        service(broken(false), RateLimitOptions.defaults().withFailureMode(FailureMode.CLOSED));

    assertThatThrownBy(() -> decide(service, request(EDGE, "consumer", "alice")))
        .as("fail closed")
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(decide(service, request(EDGE, "path", "/")).getOverallCode())
        .as("fail open")
        .isEqualTo(Code.OK);
    assertThat(
            metrics.get("sluice_ratelimit_decisions_total", "domain", EDGE, "code", "UNAVAILABLE"))
        .isEqualTo(1);
  }

  @Test
  void aStoreThatNeverAnswersIsAnsweredWithinTheTimeout() {
    table.set(table(rule(EDGE, perUnit(1, Unit.MINUTE), "consumer", null)));
    RateLimitService service =
        service(broken(true), RateLimitOptions.defaults().withStoreTimeout(Duration.ofMillis(50)));
    long start = System.nanoTime();
    RateLimitResponse r =
        service.decide(request(EDGE, "consumer", "alice")).orTimeout(2, TimeUnit.SECONDS).join();
    assertThat(r.getOverallCode()).isEqualTo(Code.OK);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1000));
  }

  @Test
  void theInMemoryStoreForgetsOldWindowsAndIsBounded() {
    table.set(table(rule(EDGE, perUnit(1, Unit.SECOND), "consumer", null)));
    InMemoryStore small = new InMemoryStore(3);
    RateLimitService service =
        service(small, RateLimitOptions.defaults().withFailureMode(FailureMode.CLOSED));
    for (String who : new String[] {"a", "b", "c"}) {
      assertThat(decide(service, request(EDGE, "consumer", who)).getOverallCode())
          .isEqualTo(Code.OK);
    }
    assertThat(small.size()).isEqualTo(3);
    assertThat(decide(service, request(EDGE, "consumer", "d")).getOverallCode())
        .as("full: a new key is counted")
        .isEqualTo(Code.OK);
    assertThat(decide(service, request(EDGE, "consumer", "d")).getOverallCode())
        .as("and limited")
        .isEqualTo(Code.OVER_LIMIT);
    assertThat(small.size()).isEqualTo(3);
    assertThat(decide(service, request(EDGE, "consumer", "a")).getOverallCode())
        .as("a, the oldest, was evicted")
        .isEqualTo(Code.OK);
    clock.advance(2_000);
    decide(service, request(EDGE, "consumer", "e"));
    assertThat(small.size()).as("two windows later the old ones leave").isLessThan(3);
  }

  @Test
  void aUniqueLongValuePerRequestLeavesTheStoreBoundedAndTheLimitEnforced() {
    table.set(table(rule(EDGE, perUnit(2, Unit.MINUTE), "path", null)));
    InMemoryStore store = new InMemoryStore(InMemoryStore.DEFAULT_MAX_KEYS, 4 << 20);
    RateLimitService service = service(store, RateLimitOptions.defaults());
    String longPath = "/" + "p".repeat(59 * 1024);
    for (int i = 0; i < 4050; i++) {
      assertThat(decide(service, request(EDGE, "path", longPath + i)).getOverallCode())
          .isEqualTo(Code.OK);
    }
    assertThat(store.bytes()).isLessThanOrEqualTo(4 << 20);
    assertThat(store.size()).as("hashed: every one of them fits").isEqualTo(4050);
    assertThat(admitted(service, request(EDGE, "path", longPath + "x"), 5))
        .as("a long value's limit holds")
        .isEqualTo(2);
  }

  @Test
  void aPortAlreadyTakenIsNamedInTheErrorWithTheReason() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      RateLimitServer server =
          new RateLimitServer(
              "127.0.0.1",
              taken.getLocalPort(),
              new InMemoryStore(),
              RateLimitOptions.defaults(),
              metrics,
              clock);
      assertThatThrownBy(server::start)
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(
              "cannot listen for rate-limit requests on /127.0.0.1:" + taken.getLocalPort() + ": ")
          .hasMessageContaining("in use");
    }
  }

  @Test
  void theServerAnswersEnvoysGrpcCall() {
    try (RateLimitServer server =
        new RateLimitServer(
                "127.0.0.1", 0, new InMemoryStore(), RateLimitOptions.defaults(), metrics, clock)
            .start()) {
      server.table(table(rule(EDGE, perUnit(2, Unit.MINUTE), "consumer", null)));
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        var stub =
            RateLimitServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        assertThat(stub.shouldRateLimit(request(EDGE, "consumer", "alice")).getOverallCode())
            .isEqualTo(Code.OK);
        assertThat(stub.shouldRateLimit(request(EDGE, "consumer", "alice")).getOverallCode())
            .isEqualTo(Code.OK);
        RateLimitResponse third = stub.shouldRateLimit(request(EDGE, "consumer", "alice"));
        assertThat(third.getOverallCode()).isEqualTo(Code.OVER_LIMIT);
        assertThat(third.getStatuses(0).getLimitRemaining()).isZero();
        assertThatThrownBy(() -> stub.shouldRateLimit(RateLimitRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
