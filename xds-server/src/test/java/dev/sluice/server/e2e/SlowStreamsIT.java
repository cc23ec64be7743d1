package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

  @RegisterExtension
  final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void anEnvoyGetsAPolicyChangeWhileStreamsThatNeverReadHoldEveryWriteSlot() throws Exception {
    HttpUpstream web = HttpUpstream.start("web");
    List<NonReading> slow = new ArrayList<>();
    try (SluiceFixture sluice = new SluiceFixture()) {
      // enough clusters that one response fills a non-reading stream's window and transport
      StringBuilder registry = new StringBuilder("services:\n");
      StringBuilder routes = new StringBuilder();
      for (int i = 0; i < SERVICES; i++) {
        registry.append("  service-with-a-long-name-").append(i).append(": [\"").append(web.address()).append("\"]\n");
        routes.append("---\nkind: Route\nname: r-").append(i).append("\nmatch: {prefix: /r-").append(i)
            .append("/}\nto: service-with-a-long-name-").append(i).append("\n");
      }
      sluice.writeRegistry(registry.toString());
      sluice.writePolicy("routes.yaml", routes.toString());
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(30));
      await(() -> sluice.get("/r-1/").statusCode() == 200, "the edge serves /r-1/");

      for (int i = 0; i < NON_READING; i++) {
        slow.add(new NonReading(sluice.xdsPort, "slow-" + i));
      }
      await(() -> sluice.server().xds().writeSlotsInUse() + sluice.server().xds().stalledStreams() >= 64,
          "the non-reading streams fill the write slots");

      sluice.writePolicy("changed.yaml", "kind: Route\nname: changed\nmatch: {prefix: /changed}\nto: service-with-a-long-name-0\n");
      await(() -> sluice.get("/changed").statusCode() == 200, "the edge gets the new route while the non-reading streams stay");

      await(() -> sluice.server().metrics().get("sluice_xds_slow_streams_dropped_total") == NON_READING,
          "every non-reading stream dropped");
      // the reason waits in the transport behind the unread response: a client that reads again sees it
      for (NonReading s : slow) {
        s.call.request(100);
        Status ended = s.ended.get(60, TimeUnit.SECONDS);
        assertThat(ended.getCode()).as("%s", ended).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(ended.getDescription()).contains("did not read its responses");
      }
      assertThat(sluice.server().metrics().get("sluice_xds_slow_streams_dropped_total")).isEqualTo(NON_READING);
      await(() -> sluice.server().xds().writeSlotsInUse() + sluice.server().xds().stalledStreams() == 0, "every slot free again");
    } finally {
      for (NonReading s : slow) {
        s.close();
      }
      web.close();
    }
  }

  /** Waits for the condition (checked every 100 ms) for up to 60 s: an event, not a window. */
  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
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

  /** An ADS stream of the edge that asks for clusters and never takes a response: its window stays shut. */
  private static final class NonReading implements AutoCloseable {
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    private final ManagedChannel channel;
    volatile ClientCallStreamObserver<DiscoveryRequest> call;

    NonReading(int port, String nodeId) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().flowControlWindow(16 * 1024).build();
      var requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(
          new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> call) {
              call.disableAutoRequestWithInitial(0);
              NonReading.this.call = call;
            }

            @Override
            public void onNext(DiscoveryResponse r) {}

            @Override
            public void onError(Throwable t) {
              ended.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
              ended.complete(Status.OK);
            }
          });
      requests.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId(nodeId).setCluster("edge"))
          .setTypeUrl(AdsClient.CLUSTER_TYPE).build());
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
