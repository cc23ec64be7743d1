package dev.sluice.loadtest;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;

/**
 * One fan-out run: N streams over {@link Options#channels()} connections, the time until each
 * connection is ready (TCP, TLS handshake, HTTP/2 settings) and until all streams have their
 * initial config, then per change the time from its trigger until each has the changed endpoint.
 */
final class Fanout implements AutoCloseable {
  /** What a phase measured: per stream, from the phase's start; failures by their reason. */
  record Phase(int streams, int ok, int failed, Stats stats, Map<String, Failures> failures) {}

  /**
   * The streams that failed for one reason: how many, on how many connections, and when (seconds
   * from the phase's start).
   */
  record Failures(int streams, int connections, double firstS, double lastS) {
    /** "50 streams on 1 connection, 101.2–101.3 s in". */
    String format() {
      return String.format(
          Locale.ROOT,
          "%d streams on %d connection%s, %.1f–%.1f s in",
          streams,
          connections,
          connections == 1 ? "" : "s",
          firstS,
          lastS);
    }
  }

  private final Options options;
  private final Run run;
  // Two threads read and parse for every stream: the client shares the server's cores, so it
  // should take no more of them than it needs to keep up.
  private final EventLoopGroup loop = new NioEventLoopGroup(2);
  private final List<ManagedChannel> channels = new ArrayList<>();

  /**
   * Per channel: when its first stream was started (which starts its connection), and when it
   * became ready.
   */
  private long[] firstStreamAt;

  private AtomicLongArray readyAt;
  private final List<AdsStream<?>> streams = new ArrayList<>();
  private long openedAt;

  Fanout(Options options) {
    this.options = options;
    this.run = new Run();
  }

  /**
   * Serves the warm-up streams, then opens every measured stream at once, as Envoys reconnecting to
   * a restarted control plane.
   */
  Fanout open() throws InterruptedException {
    Credentials credentials = Credentials.of(options.security());
    firstStreamAt = new long[options.channels()];
    readyAt = new AtomicLongArray(options.channels());
    for (int c = 0; c < options.channels(); c++) {
      NettyChannelBuilder b =
          NettyChannelBuilder.forAddress(options.host(), options.port(), credentials.channel)
              .eventLoopGroup(loop)
              .channelType(NioSocketChannel.class)
              .directExecutor()
              .maxInboundMessageSize(256 << 20);
      credentials.serverName.ifPresent(name -> b.overrideAuthority(name + ":" + options.port()));
      credentials.token.ifPresent(b::intercept);
      ManagedChannel channel = b.build();
      channels.add(channel);
      whenReady(channel, c);
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
    List<AdsStream<?>> warmup =
        start(options.nodePrefix() + "-warmup", options.warmupStreams(), warm);
    await(() -> warm.initial.get() + warm.failed.get(), warmup.size(), options.initialTimeout());
    warmup.forEach(AdsStream::stop);
    if (warm.initial.get() < warmup.size()) {
      throw new IllegalStateException(
          "the warm-up streams did not get their config: "
              + warmup.stream()
                  .filter(AdsStream::failed)
                  .map(AdsStream::failure)
                  .distinct()
                  .toList());
    }
  }

  private List<AdsStream<?>> start(String prefix, int count, Run in) {
    List<AdsStream<?>> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Node node =
          Node.newBuilder()
              .setId(prefix + "-" + i)
              .setCluster(options.group())
              .setUserAgentName("envoy")
              .build();
      AdsStream<?> s =
          options.protocol() == Options.Protocol.SOTW
              ? new SotwStream(node, in)
              : new DeltaStream(node, in);
      started.add(s);
      int c = (i / options.streamsPerChannel()) % channels.size();
      if (firstStreamAt[c] == 0) {
        firstStreamAt[c] = System.nanoTime();
      }
      s.start(c, AggregatedDiscoveryServiceGrpc.newStub(channels.get(c)));
    }
    return started;
  }

  /**
   * Notes when channel {@code c} first becomes ready (gRPC calls back on its transport's thread).
   */
  private void whenReady(ManagedChannel channel, int c) {
    ConnectivityState state = channel.getState(false);
    if (state == ConnectivityState.READY) {
      readyAt.compareAndSet(c, 0, System.nanoTime());
    } else if (state != ConnectivityState.SHUTDOWN) {
      channel.notifyWhenStateChanged(state, () -> whenReady(channel, c));
    }
  }

  /**
   * Per connection that the measured streams opened (not the warm-up's, which was opened by a cold
   * JVM), from its first stream's start until it was ready: TCP, the TLS handshake if any, and
   * HTTP/2's settings. {@code streams} counts those connections, {@code ok} the ones that became
   * ready.
   */
  Phase connections() {
    List<Long> took = new ArrayList<>();
    int opened = 0;
    for (int c = 0; c < channels.size(); c++) {
      if (firstStreamAt[c] < openedAt) {
        continue; // opened by the warm-up, or by no stream
      }
      opened++;
      long ready = readyAt.get(c);
      if (ready != 0) {
        took.add(ready - firstStreamAt[c]);
      }
    }
    return new Phase(
        opened,
        took.size(),
        opened - took.size(),
        Stats.ofNanos(took.stream().mapToLong(Long::longValue).toArray()),
        Map.of());
  }

  /**
   * Waits until every stream has its initial config (or failed); times from the moment the streams
   * were opened.
   */
  Phase awaitInitial() throws InterruptedException {
    await(() -> run.initial.get() + run.failed.get(), streams.size(), options.initialTimeout());
    return phase(AdsStream::initialAt, openedAt);
  }

  /**
   * Starts change {@code index}, runs its trigger and waits until every stream has it (or failed).
   */
  Phase change(int index, Options.Change change, Runnable trigger) throws InterruptedException {
    Run.Round round = run.begin(index, change);
    trigger.run();
    await(
        () ->
            round.changed.get()
                + (int) streams.stream().filter(s -> s.failed() && s.changedAt(index) == 0).count(),
        streams.size(),
        options.changeTimeout());
    return phase(s -> s.changedAt(index), round.triggeredAt);
  }

  /** What arrived since the current change's trigger. */
  String received() {
    return run.round() == null ? "nothing" : run.round().received();
  }

  private static void await(IntSupplier done, int all, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (done.getAsInt() < all && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
  }

  private Phase phase(ToLongFunction<AdsStream<?>> at, long from) {
    List<Long> took = new ArrayList<>();
    int failed = 0;
    Map<String, List<AdsStream<?>>> byReason = new LinkedHashMap<>();
    for (AdsStream<?> s : streams) {
      long t = at.applyAsLong(s);
      if (t != 0) {
        took.add(t - from);
      } else if (s.failed()) {
        failed++;
        byReason.computeIfAbsent(s.failure(), k -> new ArrayList<>()).add(s);
      }
    }
    Map<String, Failures> failures = new LinkedHashMap<>();
    byReason.forEach(
        (why, list) ->
            failures.put(
                why,
                new Failures(
                    list.size(),
                    (int) list.stream().mapToInt(AdsStream::connection).distinct().count(),
                    (list.stream().mapToLong(AdsStream::failedAt).min().orElse(from) - from) / 1e9,
                    (list.stream().mapToLong(AdsStream::failedAt).max().orElse(from) - from)
                        / 1e9)));
    return new Phase(
        streams.size(),
        took.size(),
        failed,
        Stats.ofNanos(took.stream().mapToLong(Long::longValue).toArray()),
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
