package dev.sluice.loadtest;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code --never-read}: N ADS streams of an attacker that holds a valid token. Each subscribes to
 * clusters as an edge Envoy would and never takes a response, so its flow-control window stays shut
 * once the first response has filled it. A stream the server ends is opened again after 100 ms, so
 * N stay connected for as long as the run lasts; how many the server ended, and why, is what the
 * caller reads.
 */
final class NeverReading implements AutoCloseable {
  /** What a stream gets before its window is shut: less than one response of a large config. */
  private static final int WINDOW = 16 * 1024;

  private final Options options;
  private final EventLoopGroup loop = new NioEventLoopGroup(1);
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, LongAdder> ended = new ConcurrentHashMap<>();
  private volatile boolean closing;

  NeverReading(Options options) {
    this.options = options;
  }

  NeverReading open() {
    Credentials credentials = Credentials.of(options.security());
    for (int c = 0; c < options.channels(); c++) {
      NettyChannelBuilder b =
          NettyChannelBuilder.forAddress(options.host(), options.port(), credentials.channel)
              .eventLoopGroup(loop)
              .channelType(NioSocketChannel.class)
              .directExecutor()
              .flowControlWindow(WINDOW);
      credentials.serverName.ifPresent(name -> b.overrideAuthority(name + ":" + options.port()));
      credentials.token.ifPresent(b::intercept);
      channels.add(b.build());
    }
    for (int i = 0; i < options.streams(); i++) {
      start(i);
    }
    return this;
  }

  private void start(int i) {
    if (closing) {
      return;
    }
    ManagedChannel channel = channels.get((i / options.streamsPerChannel()) % channels.size());
    var requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> call) {
                    call.disableAutoRequestWithInitial(0);
                  }

                  @Override
                  public void onNext(DiscoveryResponse r) {}

                  @Override
                  public void onError(Throwable t) {
                    ended(i, Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    ended(i, Status.OK);
                  }
                });
    opened.incrementAndGet();
    open.incrementAndGet();
    Node node =
        Node.newBuilder()
            .setId(options.nodePrefix() + "-never-read-" + i)
            .setCluster(options.group())
            .setUserAgentName("envoy")
            .build();
    requests.onNext(
        DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(TypeUrls.CLUSTER).build());
  }

  @SuppressWarnings("FutureReturnValueIgnored")
  private void ended(int i, Status status) {
    open.decrementAndGet();
    if (closing) {
      return;
    }
    String why =
        status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    ended
        .computeIfAbsent(why.length() > 200 ? why.substring(0, 200) : why, k -> new LongAdder())
        .increment();
    loop.schedule(() -> start(i), 100, TimeUnit.MILLISECONDS);
  }

  /**
   * "open=80 opened=240 ended_by_server=160": streams connected now, opened in all, ended by the
   * server.
   */
  String counts() {
    long byServer = ended.values().stream().mapToLong(LongAdder::sum).sum();
    return "open=" + open.get() + " opened=" + opened.get() + " ended_by_server=" + byServer;
  }

  /** Why the server ended streams, and how many for each reason. */
  Map<String, Long> reasons() {
    Map<String, Long> out = new TreeMap<>();
    ended.forEach((why, n) -> out.put(why, n.sum()));
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    closing = true;
    channels.forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel c : channels) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }
}
