package dev.sluice.server.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.auth.Claim;
import dev.sluice.server.auth.Credential;
import dev.sluice.server.auth.Decision;
import dev.sluice.server.auth.ProxyAuthenticator;
import dev.sluice.testing.AdsClient;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Admitted streams checked again: ended when refused, kept through an outage of the source within
 * its grace.
 */
class GatekeeperTest {
  static final Decision UNCHECKED =
      Decision.deny("", Decision.UNCHECKED, "the source did not answer; try again");

  /** A credential source whose answer the test sets. */
  static final class Source implements ProxyAuthenticator {
    volatile Decision answer = Decision.allow("test");
    final Duration grace;

    Source(Duration grace) {
      this.grace = grace;
    }

    @Override
    public CompletableFuture<Decision> authorize(Credential credential, Claim claim) {
      return CompletableFuture.completedFuture(answer);
    }

    @Override
    public Duration outageGrace() {
      return grace;
    }

    @Override
    public String describe() {
      return "test";
    }
  }

  /** One edge stream that asks for its clusters. */
  private static AdsClient.Sotw edgeStream(AdsHarness h) {
    AdsClient.Sotw s = h.sotw("edge-1");
    s.request(CLUSTER_TYPE_URL, List.of());
    return s;
  }

  /** One edge stream that has been admitted and sent its clusters. */
  private static AdsClient.Sotw admitted(AdsHarness h) throws InterruptedException {
    h.serve(AdsHarness.config(Map.of("a", 1)));
    AdsClient.Sotw s = edgeStream(h);
    assertThat(s.within(Duration.ofSeconds(5)))
        .as("clusters sent to the admitted stream")
        .isNotNull();
    return s;
  }

  @Test
  void anAdmittedStreamIsKeptWhileItsCredentialCannotBeCheckedWithinTheGrace() throws Exception {
    Source source = new Source(Duration.ofHours(1));
    try (AdsHarness h = new AdsHarness(source)) {
      AdsClient.Sotw s = admitted(h);
      source.answer = UNCHECKED;
      h.ads.gatekeeper.recheck();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> h.metric("sluice_xds_unchecked_kept_total") == 1);
      assertThat(s.ended).isNotDone();
      // a refusal still ends it at once
      source.answer = Decision.deny("test", Decision.NOT_GRANTED, "not any more");
      h.ads.gatekeeper.recheck();
      Status st = s.awaitEnd();
      assertThat(st.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(st.getDescription()).isEqualTo("credential withdrawn: not any more");
    }
  }

  @Test
  void anAdmittedStreamIsEndedWhenItsCredentialStaysUncheckedPastTheGrace() throws Exception {
    Source source = new Source(Duration.ZERO);
    try (AdsHarness h = new AdsHarness(source)) {
      AdsClient.Sotw s = admitted(h);
      source.answer = UNCHECKED;
      h.ads.gatekeeper.recheck();
      Status st = s.awaitEnd();
      assertThat(st.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(st.getDescription())
          .isEqualTo(
              "credential unconfirmed for longer than 0s: the source did not answer; try again");
      assertThat(h.metric("sluice_xds_unchecked_kept_total")).isZero();
    }
  }

  @Test
  void aNewStreamIsRefusedWhileTheCredentialCannotBeChecked() throws Exception {
    Source source = new Source(Duration.ofHours(1));
    source.answer = UNCHECKED;
    try (AdsHarness h = new AdsHarness(source)) {
      h.serve(AdsHarness.config(Map.of("a", 1)));
      assertThat(edgeStream(h).awaitRefusal().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
  }
}
