package dev.sluice.server.e2e;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One raw ADS stream over its own channel, with or without TLS and a proxy token: what a proxy
 * claiming some identity is refused or sent, without an Envoy in between.
 */
final class AdsClient implements AutoCloseable {
  static final String SECRET_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
  static final String CLUSTER_TYPE = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  final LinkedBlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  final CompletableFuture<Status> error = new CompletableFuture<>();
  private final ManagedChannel channel;
  private StreamObserver<DiscoveryRequest> requests;

  /** To Sluice's xDS port on this machine; {@code token} null: no authorization metadata. */
  AdsClient(int xdsPort, ChannelCredentials credentials, String token) {
    NettyChannelBuilder b = NettyChannelBuilder.forAddress("localhost", xdsPort, credentials);
    if (token != null) {
      Metadata m = new Metadata();
      m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      b.intercept(MetadataUtils.newAttachHeadersInterceptor(m));
    }
    channel = b.build();
  }

  /** Over TLS, verifying Sluice's certificate against {@code ca}. */
  static AdsClient tls(int xdsPort, Path ca, String token) {
    try {
      return new AdsClient(
          xdsPort, TlsChannelCredentials.newBuilder().trustManager(ca.toFile()).build(), token);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Claims to be {@code <service>-1}, a sidecar of {@code service}, and asks for its secrets. */
  AdsClient sidecar(String service) {
    return open(
        Node.newBuilder()
            .setId(service + "-1")
            .setCluster(service)
            .setMetadata(
                Struct.newBuilder()
                    .putFields("sluice.role", Value.newBuilder().setStringValue("sidecar").build())
                    .putFields(
                        "sluice.service", Value.newBuilder().setStringValue(service).build()))
            .build(),
        SECRET_TYPE);
  }

  /**
   * Claims to be {@code nodeId}, an Envoy of {@code gateway} (its node cluster), and asks for its
   * clusters.
   */
  AdsClient gateway(String nodeId, String gateway) {
    return open(Node.newBuilder().setId(nodeId).setCluster(gateway).build(), CLUSTER_TYPE);
  }

  private AdsClient open(Node node, String typeUrl) {
    requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse r) {
                    responses.add(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    error.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    error.complete(Status.OK);
                  }
                });
    requests.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(typeUrl).build());
    return this;
  }

  DiscoveryResponse next() throws Exception {
    DiscoveryResponse r = responses.poll(20, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError(
          "no response within 20 s" + (error.isDone() ? "; stream ended: " + error.get() : ""));
    }
    return r;
  }

  /** How the stream ended (OK if the server completed it). */
  Status awaitError() throws Exception {
    return error.get(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
