package dev.sluice.server.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.auth.Claim;
import dev.sluice.server.auth.Credential;
import dev.sluice.server.auth.Decision;
import dev.sluice.server.auth.ProxyAuthenticator;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

  /** One edge stream that has been admitted and sent its clusters. */
  static final class Stream implements StreamObserver<DiscoveryResponse> {
    final LinkedBlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();

    Stream(AdsHarness h) {
      AggregatedDiscoveryServiceGrpc.newStub(h.channel)
          .streamAggregatedResources(this)
          .onNext(
              DiscoveryRequest.newBuilder()
                  .setNode(AdsHarness.node("edge-1"))
                  .setTypeUrl(CLUSTER_TYPE_URL)
                  .build());
    }

    @Override
    public void onNext(DiscoveryResponse r) {
      responses.add(r);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }

    Status awaitEnd() throws Exception {
      return end.get(5, TimeUnit.SECONDS);
    }
  }

  private static Stream admitted(AdsHarness h) throws InterruptedException {
    h.serve(AdsHarness.config(Map.of("a", 1)));
    Stream s = new Stream(h);
    assertThat(s.responses.poll(5, TimeUnit.SECONDS))
        .as("clusters sent to the admitted stream")
        .isNotNull();
    return s;
  }

  @Test
  void anAdmittedStreamIsKeptWhileItsCredentialCannotBeCheckedWithinTheGrace() throws Exception {
    Source source = new Source(Duration.ofHours(1));
    try (AdsHarness h = new AdsHarness(source)) {
      Stream s = admitted(h);
      source.answer = UNCHECKED;
      h.ads.gatekeeper.recheck();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> h.metric("sluice_xds_unchecked_kept_total") == 1);
      assertThat(s.end).isNotDone();
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
      Stream s = admitted(h);
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
      Stream s = new Stream(h);
      assertThat(s.awaitEnd().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(s.responses).isEmpty();
    }
  }
}
