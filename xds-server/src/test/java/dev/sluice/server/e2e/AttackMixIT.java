package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.admin.AdminServer;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HalfOpenHttp;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.NonReadingAdsStream;
import io.grpc.Status;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The three attacks at once, in a small dose: ADS streams that never read (more than the xDS server
 * has write slots), half-open admin connections (more than the admin server has threads), and a
 * flood of unique long paths through a real Envoy onto a limit keyed by path (every path a counter
 * of its own). Meanwhile successive policy changes reach Envoy, the probes answer, the limit still
 * refuses past its count and the counter store stays within its byte budget; and every non-reading
 * stream is dropped with its reason and counted, as it is without the rest.
 * scripts/bench-attack-mix measures the same mix at full strength.
 */
class AttackMixIT {
  private static final int SERVICES = 500;
  private static final int NON_READING = 80;
  private static final int HALF_OPEN = AdminServer.THREADS + 8;
  private static final long BUDGET = 256 * 1024;
  private static final int CHANGES = 3;
  private static final String PAD = "p".repeat(20 * 1024);

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void policyChangesProbesAndLimitsHoldUnderTheAttackMix() throws Exception {
    List<NonReadingAdsStream> nonReading = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    try (HttpUpstream web = HttpUpstream.start("web");
        SluiceFixture sluice = new SluiceFixture().rateLimit(o -> o.withMaxBytes(BUDGET))) {
      // enough clusters that one response fills a non-reading stream's window and transport
      StringBuilder registry = new StringBuilder("services:\n");
      StringBuilder routes =
          new StringBuilder(
              "kind: Route\nname: attack\nmatch: {prefix: /attack/}\nto: web\n"
                  + "globalRateLimit:\n  rules:\n    - {requests: 2, per: minute, by: [path]}\n");
      registry.append("  web: [\"").append(web.address()).append("\"]\n");
      for (int i = 0; i < SERVICES; i++) {
        registry
            .append("  service-with-a-long-name-")
            .append(i)
            .append(": [\"")
            .append(web.address())
            .append("\"]\n");
        routes
            .append("---\nkind: Route\nname: r-")
            .append(i)
            .append("\nmatch: {prefix: /r-")
            .append(i)
            .append("/}\nto: service-with-a-long-name-")
            .append(i)
            .append("\n");
      }
      sluice.writeRegistry(registry.toString());
      sluice.writePolicy("routes.yaml", routes.toString());
      sluice.start();
      envoys
          .start(
              EnvoyExtension.edgeBootstrap(),
              EnvoyProcess.Options.ads(sluice.xdsPort)
                  .node("edge-1", "edge")
                  .rateLimitPort(sluice.rateLimitPort))
          .awaitReady(Duration.ofSeconds(30));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> sluice.answer("/attack/ready").startsWith("web"));

      for (int i = 0; i < NON_READING; i++) {
        nonReading.add(new NonReadingAdsStream(sluice.xdsPort, "never-reads-" + i, "edge"));
      }
      await("the non-reading streams fill the write slots")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  sluice.server().xds().writeSlotsInUse() + sluice.server().xds().stalledStreams()
                      >= 64);

      AtomicInteger sent = new AtomicInteger();
      AtomicInteger notOk = new AtomicInteger();
      CompletableFuture<Void> flood =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  try {
                    if (sluice.get("/attack/" + i + "/" + PAD).statusCode() != 200) {
                      notOk.incrementAndGet();
                    }
                  } catch (UncheckedIOException e) {
                    notOk.incrementAndGet();
                  }
                  sent.incrementAndGet();
                }
              });
      await("the flood fills the counter store's budget")
          .atMost(Duration.ofMinutes(2))
          .until(() -> sluice.metric("sluice_ratelimit_store_evictions_total") > 0);

      for (int change = 1; change <= CHANGES; change++) {
        try (HalfOpenHttp halfOpen = HalfOpenHttp.open(sluice.adminPort, HALF_OPEN)) {
          for (String probe : List.of("/healthz", "/ready")) {
            // within the admin server's request time limit, not eventually: the client gives up
            // after 5 s a try
            await(probe + " answers")
                .atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .until(() -> sluice.admin(probe).statusCode() == 200);
          }
          String route = "change-" + change;
          sluice.writePolicy(
              route + ".yaml",
              "kind: Route\nname: "
                  + route
                  + "\nmatch: {prefix: /"
                  + route
                  + "}\nto: service-with-a-long-name-"
                  + change
                  + "\n");
          await(route + " answers through Envoy")
              .atMost(Duration.ofSeconds(60))
              .until(() -> sluice.answer("/" + route).startsWith("web"));
          assertThat(halfOpen.closedByServer())
              .as("the half-open admin connections still hang")
              .isNotDone();
        }
      }

      // the flood still on: each non-reading stream was dropped and counted
      await("every non-reading stream dropped")
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  sluice.server().metrics().get("sluice_xds_slow_streams_dropped_total")
                      == NON_READING);
      // the reason waits in the transport behind the unread response: a client that reads again
      // sees it
      for (NonReadingAdsStream s : nonReading) {
        s.readAgain();
        Status ended = s.ended.get(60, TimeUnit.SECONDS);
        assertThat(ended.getCode()).as("%s", ended).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(ended.getDescription()).contains("did not read its responses");
      }

      // past its count, a long path is refused: the flood did not make the limit fail open
      String mine = "/attack/mine/" + PAD;
      assertThat(sluice.get(mine).statusCode()).isEqualTo(200);
      assertThat(sluice.get(mine).statusCode()).isEqualTo(200);
      assertThat(sluice.get(mine).statusCode()).isEqualTo(429);
      assertThat((long) sluice.metric("sluice_ratelimit_store_bytes"))
          .as("sluice_ratelimit_store_bytes")
          .isPositive()
          .isLessThanOrEqualTo(BUDGET);
      assertThat(flood).as("the flood ran throughout (%s paths sent)", sent).isNotDone();
      stop.set(true);
      flood.get(1, TimeUnit.MINUTES);
      assertThat(notOk).as("every unique path of %s was counted and admitted", sent).hasValue(0);

    } finally {
      stop.set(true);
      for (NonReadingAdsStream s : nonReading) {
        s.close();
      }
    }
  }
}
