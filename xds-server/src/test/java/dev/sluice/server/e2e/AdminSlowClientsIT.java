package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.admin.AdminServer;
import dev.sluice.testing.HalfOpenFlood;
import dev.sluice.testing.HalfOpenHttp;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Half-open admin connections — a request line and half its headers, then silence — cannot block
 * the probes: more of them than the admin server has threads, and /healthz and /ready still answer,
 * each hung connection is closed by the server once the request time limit passes.
 */
class AdminSlowClientsIT {
  private static final int HUNG = AdminServer.THREADS + 8;

  /** As many as scripts/bench-attack-mix holds: far more than the admin server has threads. */
  private static final int FLOOD = 200;

  @Test
  void probesAnswerWhileHalfOpenConnectionsHang() throws Exception {
    try (SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  web: [\"127.0.0.1:9\"]\n");
      sluice.start();
      try (HalfOpenHttp hung = HalfOpenHttp.open(sluice.adminPort, HUNG)) {
        // the probes answer (the fixture's client gives up after 5 s per try)
        HttpResponse<String> healthz = retry(() -> sluice.admin("/healthz"));
        assertThat(healthz.statusCode()).isEqualTo(200);
        assertThat(retry(() -> sluice.admin("/ready")).statusCode()).isEqualTo(200);
        // and the half-open connections are closed by the server, not left to hang
        hung.closedByServer().get(60, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The flood is sustained: a connection the server closes is opened again at once. Every probe,
   * asked one after the other until the server has closed every connection of the first round (so
   * through a whole request time limit and the flood's reopening), answers at its first try.
   */
  @Test
  void everyProbeAnswersThroughoutASustainedHalfOpenFlood() throws Exception {
    try (SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  web: [\"127.0.0.1:9\"]\n");
      sluice.start();
      Awaitility.await("ready")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> sluice.admin("/ready").statusCode() == 200);
      try (HalfOpenFlood flood = HalfOpenFlood.start(sluice.adminPort, FLOOD)) {
        int answered = 0;
        long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (flood.closedByServer() < FLOOD) {
          assertThat(System.nanoTime())
              .as("the server closes the half-open connections")
              .isLessThan(giveUp);
          for (String probe : List.of("/healthz", "/ready")) {
            // one try: the fixture's client gives up after 5 s, which fails the test
            assertThat(sluice.admin(probe).statusCode())
                .as("%s after %d answers", probe, answered)
                .isEqualTo(200);
            answered++;
          }
        }
        assertThat(flood.opened())
            .as("the flood reopened what the server closed")
            .isGreaterThanOrEqualTo(2 * FLOOD);
      }
    }
  }

  /**
   * Up to 4 tries of 5 s: a probe must answer within the request time limit (10 s), not eventually.
   */
  private static <T> T retry(Supplier<T> call) {
    RuntimeException last = null;
    for (int i = 0; i < 4; i++) {
      try {
        return call.get();
      } catch (UncheckedIOException e) {
        last = e;
      }
    }
    throw new AssertionError("no answer within 4 tries of 5 s", last);
  }
}
