package dev.sluice.loadtest;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * One fan-out run: N streams over {@link Options#channels()} connections, the time until all have
 * their initial config, then the time from a trigger until each has the changed endpoint.
 */
final class Fanout implements AutoCloseable {
  /** What a phase measured: per stream, from the phase's start. */
  record Phase(int streams, int ok, int failed, Stats stats, Map<String, Integer> failures) {}

  private final Options options;
  private final Run run;
  // Two threads read and parse for every stream: the client shares the server's cores, so it
  // should take no more of them than it needs to keep up.
  private final EventLoopGroup loop = new NioEventLoopGroup(2);
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<AdsStream> streams = new ArrayList<>();
  private long openedAt;

  Fanout(Options options) {
    this.options = options;
    this.run = new Run(options.change());
  }

  /** Opens every channel and stream at once, as Envoys reconnecting to a restarted control plane. */
  Fanout open() {
    for (int c = 0; c < options.channels(); c++) {
      channels.add(NettyChannelBuilder.forAddress(options.host(), options.port())
          .usePlaintext()
          .eventLoopGroup(loop)
          .channelType(NioSocketChannel.class)
          .directExecutor()
          .maxInboundMessageSize(256 << 20)
          .build());
    }
    openedAt = System.nanoTime();
    for (int i = 0; i < options.streams(); i++) {
      Node node = Node.newBuilder().setId(options.nodePrefix() + "-" + i).setCluster(options.group())
          .setUserAgentName("envoy").build();
      AdsStream s = options.protocol() == Options.Protocol.SOTW ? new SotwStream(node, run) : new DeltaStream(node, run);
      streams.add(s);
      s.start(AggregatedDiscoveryServiceGrpc.newStub(channels.get(i / options.streamsPerChannel())));
    }
    return this;
  }

  /** Waits until every stream has its initial config (or failed); times from the moment the streams were opened. */
  Phase awaitInitial() throws InterruptedException {
    await(() -> run.initial.get() + run.failed.get(), options.initialTimeout());
    return phase(AdsStream::initialAt, openedAt);
  }

  /** Runs the trigger and waits until every stream has the changed endpoint (or failed). */
  Phase change(Runnable trigger) throws InterruptedException {
    run.trigger();
    trigger.run();
    await(() -> run.changed.get() + (int) streams.stream().filter(s -> s.failed() && s.changedAt() == 0).count(),
        options.changeTimeout());
    return phase(AdsStream::changedAt, run.triggeredAt());
  }

  int changedBeforeTrigger() {
    return run.changedEarly.get();
  }

  String receivedSinceTrigger() {
    return run.receivedSinceTrigger();
  }

  private void await(java.util.function.IntSupplier done, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (done.getAsInt() < streams.size() && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
  }

  private Phase phase(ToLongFunction<AdsStream> at, long from) {
    List<Long> took = new ArrayList<>();
    int failed = 0;
    Map<String, Integer> failures = new LinkedHashMap<>();
    for (AdsStream s : streams) {
      long t = at.applyAsLong(s);
      if (t != 0) {
        took.add(t - from);
      } else if (s.failed()) {
        failed++;
        failures.merge(s.failure(), 1, Integer::sum);
      }
    }
    return new Phase(streams.size(), took.size(), failed, Stats.ofNanos(took.stream().mapToLong(Long::longValue).toArray()),
        failures);
  }

  @Override
  public void close() throws InterruptedException {
    streams.forEach(AdsStream::stop);
    channels.forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel c : channels) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }
}
