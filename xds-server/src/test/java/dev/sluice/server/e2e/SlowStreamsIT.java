package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.NonReadingAdsStream;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ADS streams that never read their responses cannot starve the Envoys that do: more of them than
 * the xDS server has write slots, each with a full transport, and a real Envoy still gets a policy
 * change; each of them is dropped with a reason and counted.
 */
class SlowStreamsIT {
  private static final int SERVICES = 500;
  private static final int NON_READING = 80;

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void anEnvoyGetsAPolicyChangeWhileStreamsThatNeverReadHoldEveryWriteSlot() throws Exception {
    HttpUpstream web = HttpUpstream.start("web");
    List<NonReadingAdsStream> slow = new ArrayList<>();
    try (SluiceFixture sluice = new SluiceFixture()) {
      // enough clusters that one response fills a non-reading stream's window and transport
      StringBuilder registry = new StringBuilder("services:\n");
      StringBuilder routes = new StringBuilder();
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
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(30));
      await(() -> sluice.get("/r-1/").statusCode() == 200, "the edge serves /r-1/");

      for (int i = 0; i < NON_READING; i++) {
        slow.add(new NonReadingAdsStream(sluice.xdsPort, "slow-" + i, "edge"));
      }
      await(
          () ->
              sluice.server().xds().writeSlotsInUse() + sluice.server().xds().stalledStreams()
                  >= 64,
          "the non-reading streams fill the write slots");

      sluice.writePolicy(
          "changed.yaml",
          "kind: Route\nname: changed\nmatch: {prefix: /changed}\nto: service-with-a-long-name-0\n");
      await(
          () -> sluice.get("/changed").statusCode() == 200,
          "the edge gets the new route while the non-reading streams stay");

      await(
          () ->
              sluice.server().metrics().get("sluice_xds_slow_streams_dropped_total") == NON_READING,
          "every non-reading stream dropped");
      // the reason waits in the transport behind the unread response: a client that reads again
      // sees it
      for (NonReadingAdsStream s : slow) {
        s.readAgain();
        Status ended = s.ended.get(60, TimeUnit.SECONDS);
        assertThat(ended.getCode()).as("%s", ended).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(ended.getDescription()).contains("did not read its responses");
      }
      assertThat(sluice.server().metrics().get("sluice_xds_slow_streams_dropped_total"))
          .isEqualTo(NON_READING);
      await(
          () ->
              sluice.server().xds().writeSlotsInUse() + sluice.server().xds().stalledStreams() == 0,
          "every slot free again");
    } finally {
      for (NonReadingAdsStream s : slow) {
        s.close();
      }
      web.close();
    }
  }

  /** Waits for the condition (checked every 100 ms) for up to 60 s: an event, not a window. */
  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not within 60 s: " + what);
  }
}
