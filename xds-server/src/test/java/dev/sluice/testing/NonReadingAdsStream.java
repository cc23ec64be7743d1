package dev.sluice.testing;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ADS stream of an edge proxy, on a plaintext connection of its own, that asks for clusters and
 * never takes a response: its 16 KiB window stays shut once the first response has filled it.
 * {@link #ended} completes with the status the server ended it with, once the stream reads again
 * ({@link #readAgain}) and so sees it.
 */
public final class NonReadingAdsStream implements AutoCloseable {
  private static final String CLUSTER_TYPE = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  public final CompletableFuture<Status> ended = new CompletableFuture<>();
  private final ManagedChannel channel;
  private volatile ClientCallStreamObserver<DiscoveryRequest> call;

  public NonReadingAdsStream(int port, String nodeId, String group) {
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .flowControlWindow(16 * 1024)
            .build();
    var requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> call) {
                    call.disableAutoRequestWithInitial(0);
                    NonReadingAdsStream.this.call = call;
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
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(nodeId).setCluster(group))
            .setTypeUrl(CLUSTER_TYPE)
            .build());
  }

  /** Takes what waits in the transport, the server's reason for ending the stream included. */
  public void readAgain() {
    call.request(100);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
