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
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;

/**
 * One fan-out run: N streams over {@link Options#channels()} connections, the time until all have
 * their initial config, then per change the time from its trigger until each has the changed endpoint.
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
  private final List<AdsStream<?>> streams = new ArrayList<>();
  private long openedAt;

  Fanout(Options options) {
    this.options = options;
    this.run = new Run();
  }

  /**
   * Serves the warm-up streams, then opens every measured stream at once, as Envoys reconnecting
   * to a restarted control plane.
   */
  Fanout open() throws InterruptedException {
    for (int c = 0; c < options.channels(); c++) {
      channels.add(NettyChannelBuilder.forAddress(options.host(), options.port())
          .usePlaintext()
          .eventLoopGroup(loop)
          .channelType(NioSocketChannel.class)
          .directExecutor()
          .maxInboundMessageSize(256 << 20)
          .build());
    }
    warmUp();
    openedAt = System.nanoTime();
    streams.addAll(start(options.nodePrefix(), options.streams(), run));
    return this;
  }

  private void warmUp() throws InterruptedException {
    if (options.warmupStreams() == 0) {
      return;
    }
    Run warm = new Run();
    List<AdsStream<?>> warmup = start(options.nodePrefix() + "-warmup", options.warmupStreams(), warm);
    await(() -> warm.initial.get() + warm.failed.get(), warmup.size(), options.initialTimeout());
    warmup.forEach(AdsStream::stop);
    if (warm.initial.get() < warmup.size()) {
      throw new IllegalStateException("the warm-up streams did not get their config: "
          + warmup.stream().filter(AdsStream::failed).map(AdsStream::failure).distinct().toList());
    }
  }

  private List<AdsStream<?>> start(String prefix, int count, Run in) {
    List<AdsStream<?>> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Node node = Node.newBuilder().setId(prefix + "-" + i).setCluster(options.group()).setUserAgentName("envoy").build();
      AdsStream<?> s = options.protocol() == Options.Protocol.SOTW ? new SotwStream(node, in) : new DeltaStream(node, in);
      started.add(s);
      s.start(AggregatedDiscoveryServiceGrpc.newStub(channels.get((i / options.streamsPerChannel()) % channels.size())));
    }
    return started;
  }

  /** Waits until every stream has its initial config (or failed); times from the moment the streams were opened. */
  Phase awaitInitial() throws InterruptedException {
    await(() -> run.initial.get() + run.failed.get(), streams.size(), options.initialTimeout());
    return phase(AdsStream::initialAt, openedAt);
  }

  /** Starts change {@code index}, runs its trigger and waits until every stream has it (or failed). */
  Phase change(int index, Options.Change change, Runnable trigger) throws InterruptedException {
    Run.Round round = run.begin(index, change);
    trigger.run();
    await(() -> round.changed.get() + (int) streams.stream().filter(s -> s.failed() && s.changedAt(index) == 0).count(),
        streams.size(), options.changeTimeout());
    return phase(s -> s.changedAt(index), round.triggeredAt);
  }

  /** What arrived since the current change's trigger. */
  String received() {
    return run.round() == null ? "nothing" : run.round().received();
  }

  private static void await(IntSupplier done, int all, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (done.getAsInt() < all && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
  }

  private Phase phase(ToLongFunction<AdsStream<?>> at, long from) {
    List<Long> took = new ArrayList<>();
    int failed = 0;
    Map<String, Integer> failures = new LinkedHashMap<>();
    for (AdsStream<?> s : streams) {
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
