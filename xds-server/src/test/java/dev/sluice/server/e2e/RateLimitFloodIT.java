package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A flood of unique values through a real Envoy: a limit keyed by path, and a client sending a
 * unique long path with every request. The in-memory store stays within its byte budget (old
 * counters evicted, {@code sluice_ratelimit_store_bytes}), every new path is counted (no failure
 * mode bypass), the limit of a repeated long path holds, and a policy change made during the flood
 * reaches Envoy.
 */
class RateLimitFloodIT {
  private static final long BUDGET = 256 * 1024;
  private static final int FLOOD = 2_000;
  private static final Pattern STORE_BYTES =
      Pattern.compile("(?m)^sluice_ratelimit_store_bytes(?:\\{[^}]*\\})? ([0-9.eE+]+)$");
  private static final Pattern EVICTIONS =
      Pattern.compile("(?m)^sluice_ratelimit_store_evictions_total(?:\\{[^}]*\\})? ([0-9.eE+]+)$");

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private static long metric(SluiceFixture sluice, Pattern pattern) {
    Matcher m = pattern.matcher(sluice.admin("/metrics").body());
    assertThat(m.find()).as("metric %s", pattern).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  @Test
  void uniqueLongPathsLeaveTheStoreBoundedTheLimitsEnforcedAndConfigFlowing() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture().rateLimit(o -> o.withMaxBytes(BUDGET))) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      String limited =
          "kind: Route\nname: orders\nmatch: {prefix: /orders}\nto: orders\nglobalRateLimit:\n  rules:\n"
              + "    - {requests: 2, per: minute, by: [path]}\n";
      sluice.writePolicy("routes.yaml", limited);
      sluice.start();
      envoys
          .start(
              EnvoyExtension.edgeBootstrap(),
              EnvoyProcess.Options.ads(sluice.xdsPort)
                  .node("edge-1", "edge")
                  .rateLimitPort(sluice.rateLimitPort))
          .awaitReady(Duration.ofSeconds(20));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> sluice.get("/orders/ready").statusCode() == 200);

      String pad = "p".repeat(20 * 1024);
      AtomicInteger sent = new AtomicInteger();
      AtomicInteger notOk = new AtomicInteger();
      AtomicBoolean changeSeen = new AtomicBoolean();
      CompletableFuture<Void> flood =
          CompletableFuture.runAsync(
              () -> {
                // at least FLOOD paths, and on until the policy change has reached Envoy (at most
                // ten times as many)
                for (int i = 0; (i < FLOOD || !changeSeen.get()) && i < 10 * FLOOD; i++) {
                  // each unique path is counted once: its first request is within the limit
                  if (sluice.get("/orders/" + i + "/" + pad).statusCode() != 200) {
                    notOk.incrementAndGet();
                  }
                  sent.incrementAndGet();
                }
              });

      // while the flood runs and the store is evicting, a policy change reaches Envoy
      await("the store within its budget, evicting old counters")
          .atMost(Duration.ofMinutes(2))
          .untilAsserted(
              () -> {
                assertThat(metric(sluice, STORE_BYTES))
                    .as("sluice_ratelimit_store_bytes")
                    .isLessThanOrEqualTo(BUDGET);
                assertThat(metric(sluice, EVICTIONS))
                    .as("sluice_ratelimit_store_evictions_total")
                    .isPositive();
              });
      sluice.writePolicy(
          "routes.yaml",
          limited + "---\nkind: Route\nname: extra\nmatch: {prefix: /extra}\nto: orders\n");
      await().atMost(Duration.ofSeconds(30)).until(() -> sluice.get("/extra").statusCode() == 200);
      changeSeen.set(true);
      assertThat(flood).as("the change arrived during the flood (%s sent)", sent).isNotDone();

      flood.get(5, TimeUnit.MINUTES);
      assertThat(notOk).as("every new path was counted and admitted").hasValue(0);
      long bytes = metric(sluice, STORE_BYTES);
      assertThat(bytes).as("sluice_ratelimit_store_bytes").isPositive().isLessThanOrEqualTo(BUDGET);
      assertThat(metric(sluice, EVICTIONS)).as("old counters made room").isGreaterThan(FLOOD / 2);
      assertThat(sluice.admin("/metrics").body())
          .doesNotContainPattern("(?m)^sluice_ratelimit_store_errors_total");

      // a long path's limit holds after the flood
      String mine = "/orders/mine/" + pad;
      assertThat(sluice.get(mine).statusCode()).isEqualTo(200);
      assertThat(sluice.get(mine).statusCode()).isEqualTo(200);
      assertThat(sluice.get(mine).statusCode()).isEqualTo(429);
    }
  }
}
