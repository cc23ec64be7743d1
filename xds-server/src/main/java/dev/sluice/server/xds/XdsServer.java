package dev.sluice.server.xds;

import dev.sluice.server.Metrics;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The ADS gRPC endpoint (SotW and delta on one port) in front of the snapshot cache. */
public final class XdsServer implements AutoCloseable {
  private final Server server;
  private final SnapshotPublisher publisher;
  private final ProxyRegistry proxies;

  private final PropagationTracker propagation;

  public XdsServer(String host, int port, Metrics metrics, io.opentelemetry.api.trace.Tracer tracer) {
    SimpleCache<String> cache = new SimpleCache<>(new ProxyGroups());
    this.proxies = new ProxyRegistry();
    this.propagation = new PropagationTracker(proxies, metrics);
    this.publisher = new SnapshotPublisher(cache, proxies, propagation, tracer, metrics);
    NackGuard guard = new NackGuard(cache);
    XdsCallbacks callbacks = new XdsCallbacks(proxies, guard, metrics, publisher::origins, propagation);
    V3DiscoveryServer discovery = new V3DiscoveryServer(callbacks, guard);
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .addService(discovery.getAggregatedDiscoveryServiceImpl())
        .permitKeepAliveWithoutCalls(true)
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .build();
    metrics.gauge("sluice_xds_connected_proxies", () -> proxies.connected().size());
  }

  public XdsServer start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for xDS on port " + server.getPort(), e);
    }
    return this;
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
  }
}
