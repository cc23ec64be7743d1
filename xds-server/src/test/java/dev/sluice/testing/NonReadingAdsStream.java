package dev.sluice.testing;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An ADS stream of an edge proxy, on a plaintext connection of its own, that asks for clusters and
 * never takes a response: its 16 KiB window stays shut once the first response has filled it.
 * {@link #ended} completes with the status the server ended it with, once the stream reads again
 * ({@link #readAgain}) and so sees it.
 */
public final class NonReadingAdsStream implements AutoCloseable {
  public final CompletableFuture<Status> ended;
  private final AdsClient client;
  private final AdsClient.Sotw stream;

  public NonReadingAdsStream(int port, String nodeId, String group) {
    client = AdsClient.to("127.0.0.1", port).flowControlWindow(16 * 1024).connect();
    stream = client.sotwNotReading(Node.newBuilder().setId(nodeId).setCluster(group).build());
    stream.request(AdsClient.CLUSTER_TYPE, List.of());
    ended = stream.ended;
  }

  /** Takes what waits in the transport, the server's reason for ending the stream included. */
  public void readAgain() {
    stream.readAgain();
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
  }
}
