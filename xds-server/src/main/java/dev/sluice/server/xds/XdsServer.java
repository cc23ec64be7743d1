package dev.sluice.server.xds;

import dev.sluice.core.DaemonThreads;
import dev.sluice.server.auth.ChannelSecurity;
import dev.sluice.server.telemetry.Metrics;
import io.grpc.Server;
import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The ADS gRPC endpoint (SotW and delta on one port), its snapshots and the proxies connected to
 * it.
 */
public final class XdsServer implements AutoCloseable {
  private final Server server;
  private final SnapshotPublisher publisher;
  private final ProxyRegistry proxies;

  private final PropagationTracker propagation;
  private final AdsServer ads;
  private final ExecutorService grpcThreads;

  /** Where it listens, as asked: gRPC's server knows its port only once it listens. */
  private final InetSocketAddress address;

  public XdsServer(String host, int port, Metrics metrics, Tracer tracer) {
    this(host, port, metrics, tracer, ChannelSecurity.NONE);
  }

  public XdsServer(
      String host, int port, Metrics metrics, Tracer tracer, ChannelSecurity security) {
    this.proxies = new ProxyRegistry();
    this.propagation = new PropagationTracker(proxies, metrics);
    this.ads = new AdsServer(proxies, metrics, propagation, security.authenticator());
    this.publisher = new SnapshotPublisher(ads, proxies, propagation, tracer, metrics);
    // A fixed pool: gRPC's default executor starts a thread whenever every thread is busy, so
    // thousands of Envoys connecting at once would get hundreds of threads. Requests are short
    // (the responses are pushed by the AdsServer's own threads, or sent from encoded resources).
    this.grpcThreads =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            r -> DaemonThreads.create(r, "sluice-xds-grpc"));
    this.address = new InetSocketAddress(host, port);
    this.server =
        ConnectionLimits.applyTo(security.serverBuilder(address))
            .addService(ChannelSecurity.withCredentials(this.ads))
            .executor(grpcThreads)
            .maxConcurrentCallsPerConnection(AdsServer.MAX_STREAMS_PER_CONNECTION)
            .build();
    metrics.gauge("sluice_xds_connected_proxies", () -> proxies.connected().size());
    metrics.gauge("sluice_xds_write_slots_in_use", ads.budget::inUse);
    metrics.gauge("sluice_xds_stalled_streams", ads.budget::stalled);
    metrics.gauge("sluice_xds_groups", ads::groupCount);
  }

  public XdsServer start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for xDS on " + address + ": " + rootCause(e), e);
    }
    return this;
  }

  /** gRPC wraps the reason a bind failed ("Address already in use") in its own message. */
  public static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  public int port() {
    return server.getPort();
  }

  public SnapshotPublisher publisher() {
    return publisher;
  }

  public ProxyRegistry proxies() {
    return proxies;
  }

  /** The latest streams refused for their credential. */
  public Denials denials() {
    return ads.gatekeeper.denials();
  }

  /** Streams holding a write slot now (at most {@link AdsServer#WRITE_SLOTS}). */
  public int writeSlotsInUse() {
    return ads.budget.inUse();
  }

  /**
   * Streams that did not drain within {@link WriteBudget#SLOT_GRACE}: they hold no slot, and are
   * dropped after {@link WriteBudget#STALL_LIMIT}.
   */
  public int stalledStreams() {
    return ads.budget.stalled();
  }

  public PropagationTracker propagation() {
    return propagation;
  }

  @Override
  public void close() {
    publisher.close();
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ads.close();
    grpcThreads.shutdownNow();
  }
}
