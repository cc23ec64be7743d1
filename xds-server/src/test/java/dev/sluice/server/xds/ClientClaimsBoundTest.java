package dev.sluice.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What xDS clients claim is kept bounded: a group or node id longer than the bound is refused (not
 * stored, not logged in full), a group is forgotten with its last stream, and past the bound on
 * groups a new one is refused — so short streams naming ever new groups cannot fill the heap.
 */
class ClientClaimsBoundTest {
  private static final String CLUSTERS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  /** One stream claiming {@code group} (its node cluster); ends when the server ends it. */
  private static final class Claimant {
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    final CompletableFuture<DiscoveryResponse> first = new CompletableFuture<>();
    final StreamObserver<DiscoveryRequest> requests;

    Claimant(AdsHarness h, String nodeId, String group) {
      requests =
          AggregatedDiscoveryServiceGrpc.newStub(h.channel)
              .streamAggregatedResources(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse r) {
                      first.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                      ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                      ended.complete(Status.OK);
                    }
                  });
      requests.onNext(
          DiscoveryRequest.newBuilder()
              .setNode(Node.newBuilder().setId(nodeId).setCluster(group))
              .setTypeUrl(CLUSTERS)
              .build());
    }

    Status awaitEnd() throws Exception {
      return ended.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aGroupOrNodeIdLongerThanTheBoundIsRefused() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      Status group = new Claimant(h, "n", "g".repeat(4 * 1024 * 1024 - 100)).awaitEnd();
      assertThat(group.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(group.getDescription())
          .isEqualTo(
              "the proxy group (gateway, service or node cluster) is longer than 256 characters");
      Status node = new Claimant(h, "n".repeat(257), "edge").awaitEnd();
      assertThat(node.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(node.getDescription()).isEqualTo("the node id is longer than 256 characters");
      assertThat(h.ads.groupCount()).isZero();
      // 256 is allowed
      h.ads.setSnapshot(
          "g".repeat(256), new HashedSnapshot(AdsHarness.config(Map.of("web", 8080)), null));
      Claimant ok = new Claimant(h, "n".repeat(256), "g".repeat(256));
      assertThat(ok.first.get(10, TimeUnit.SECONDS).getResourcesCount()).isEqualTo(1);
      ok.requests.onCompleted();
    }
  }

  @Test
  void aGroupIsForgottenWithItsLastStream() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      List<Claimant> streams = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        h.ads.setSnapshot(
            "group-" + i, new HashedSnapshot(AdsHarness.config(Map.of("web", 8080)), null));
        streams.add(new Claimant(h, "node-" + i, "group-" + i));
      }
      for (Claimant c : streams) {
        c.first.get(10, TimeUnit.SECONDS); // joined and served
      }
      assertThat(h.ads.groupCount()).isEqualTo(200);
      for (Claimant c : streams) {
        c.requests.onCompleted();
        c.awaitEnd();
      }
      await(() -> h.ads.groupCount() == 0);
      assertThat(h.proxies.connected()).isEmpty();
    }
  }

  @Test
  void pastTheBoundOnGroupsANewGroupIsRefused() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.maxGroups = 2;
      for (String g : List.of("a", "b", "c")) {
        h.ads.setSnapshot(g, new HashedSnapshot(AdsHarness.config(Map.of("web", 8080)), null));
      }
      Claimant a = new Claimant(h, "n1", "a");
      Claimant b = new Claimant(h, "n2", "b");
      a.first.get(10, TimeUnit.SECONDS);
      b.first.get(10, TimeUnit.SECONDS);
      Status c = new Claimant(h, "n3", "c").awaitEnd();
      assertThat(c.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(c.getDescription())
          .isEqualTo("more than 2 proxy groups have streams; try again later");
      Claimant a2 = new Claimant(h, "n4", "a"); // an existing group still takes streams
      assertThat(a2.first.get(10, TimeUnit.SECONDS).getResourcesCount()).isEqualTo(1);
      b.requests.onCompleted();
      b.awaitEnd();
      await(() -> h.ads.groupCount() == 1);
      Claimant c2 = new Claimant(h, "n5", "c");
      assertThat(c2.first.get(10, TimeUnit.SECONDS).getResourcesCount()).isEqualTo(1);
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within 10 s");
      }
      Thread.sleep(20);
    }
  }
}
