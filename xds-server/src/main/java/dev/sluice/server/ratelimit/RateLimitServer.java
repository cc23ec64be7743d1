package dev.sluice.server.ratelimit;

import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.server.auth.ChannelSecurity;
import dev.sluice.server.auth.RateLimitCallTokens;
import dev.sluice.server.auth.RateLimitCallers;
import dev.sluice.server.telemetry.Metrics;
import dev.sluice.server.xds.ConnectionLimits;
import dev.sluice.server.xds.XdsServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global rate-limit service on its own gRPC port: inside {@code sluice serve}, or alone ({@code
 * sluice ratelimit}) to scale it apart from the control plane. Holds the current {@link
 * RateLimitTable} (empty until the first {@link #table(RateLimitTable)}) and the store, which it
 * closes.
 */
public final class RateLimitServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitServer.class);
  private final AtomicReference<RateLimitTable> table = new AtomicReference<>(RateLimitTable.EMPTY);
  private final CounterStore store;
  private final RateLimitService service;
  private final Server server;

  /**
   * The service's own event loops: one thread accepts, {@value #CALL_THREADS} read, run and answer
   * calls. gRPC's default loops are shared by every server and channel of the JVM, the xDS server's
   * included, so a busy or stuck rate-limit call on them would stall xDS connections.
   */
  private final NioEventLoopGroup acceptLoop =
      new NioEventLoopGroup(1, new DefaultThreadFactory("sluice-ratelimit-accept", true));

  private final NioEventLoopGroup callLoops =
      new NioEventLoopGroup(CALL_THREADS, new DefaultThreadFactory("sluice-ratelimit-call", true));
  static final int CALL_THREADS = 2;

  /** Where it listens, as asked: gRPC's server knows its port only once it listens. */
  private final InetSocketAddress address;

  /** A server whose store the options choose (memory, or Redis when they name one). */
  public RateLimitServer(String host, int port, RateLimitOptions options, Metrics metrics) {
    this(host, port, options, metrics, ChannelSecurity.NONE, RateLimitCallTokens.ephemeral());
  }

  /** The same, with TLS and caller credentials as the xDS port has them. */
  public RateLimitServer(
      String host,
      int port,
      RateLimitOptions options,
      Metrics metrics,
      ChannelSecurity security,
      RateLimitCallTokens tokens) {
    this(host, port, options.openStore(), options, metrics, Clock.systemUTC(), security, tokens);
  }

  /** A server over a given store (closed with the server) and clock; for tests and benchmarks. */
  public RateLimitServer(
      String host,
      int port,
      CounterStore store,
      RateLimitOptions options,
      Metrics metrics,
      Clock clock) {
    this(
        host,
        port,
        store,
        options,
        metrics,
        clock,
        ChannelSecurity.NONE,
        RateLimitCallTokens.ephemeral());
  }

  /**
   * @param tokens the per-gateway tokens this server's Envoys present (see {@link
   *     RateLimitCallTokens})
   */
  public RateLimitServer(
      String host,
      int port,
      CounterStore store,
      RateLimitOptions options,
      Metrics metrics,
      Clock clock,
      ChannelSecurity security,
      RateLimitCallTokens tokens) {
    this.store = store;
    this.service =
        new RateLimitService(
            table::get,
            store,
            options,
            metrics,
            clock,
            new RateLimitCallers(security.authenticator(), tokens));
    this.address = new InetSocketAddress(host, port);
    // the xDS server's keepalive, idle and age limits: a dead or idle Envoy connection is closed
    // here too
    this.server =
        ConnectionLimits.applyTo(security.serverBuilder(address))
            .addService(ChannelSecurity.withCredentials(service))
            .bossEventLoopGroup(acceptLoop)
            .workerEventLoopGroup(callLoops)
            .channelType(NioServerSocketChannel.class)
            // the service never blocks (memory: a lookup under a lock, eviction O(1); Redis:
            // asynchronous), so calls run on the service's own event loops instead of being handed
            // to
            // another thread: at most CALL_THREADS threads, none of them the xDS server's
            .directExecutor()
            .build();
    metrics.gauge("sluice_ratelimit_rules", () -> table.get().rules().size());
    if (store instanceof InMemoryStore memory) {
      metrics.gauge("sluice_ratelimit_store_bytes", memory::bytes);
      metrics.gauge("sluice_ratelimit_store_counters", memory::size);
      metrics.observedCounter("sluice_ratelimit_store_evictions_total", memory::evictions);
    }
  }

  /**
   * Waits up to 2 s for the store (Redis) to connect — the first requests are not answered by the
   * failure mode just because the connection was being made — and listens.
   */
  public RateLimitServer start() {
    if (!store.ready(Duration.ofSeconds(2))) {
      LOG.warn(
          "rate-limit store {} is not reachable yet: answering by the failure mode until it is",
          store);
    }
    try {
      server.start();
    } catch (IOException e) {
      store.close();
      stopLoops();
      throw new UncheckedIOException(
          "cannot listen for rate-limit requests on " + address + ": " + XdsServer.rootCause(e), e);
    }
    return this;
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Replaces the limits; the next request uses them (counters are kept: same descriptor, same unit,
   * same count).
   */
  public void table(RateLimitTable table) {
    this.table.set(table);
  }

  public RateLimitTable table() {
    return table.get();
  }

  public RateLimitService service() {
    return service;
  }

  public CounterStore store() {
    return store;
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      store.close();
      stopLoops();
    }
  }

  // stopping: the loops end on their own
  @SuppressWarnings("FutureReturnValueIgnored")
  private void stopLoops() {
    acceptLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    callLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
