package dev.sluice.server.xds;

import com.google.protobuf.Any;
import dev.sluice.server.auth.ProxyAuthenticator;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An {@link AdsServer} on a loopback port, raw ADS clients for it, and small configurations to
 * serve.
 */
final class AdsHarness implements AutoCloseable {
  final ProxyRegistry proxies = new ProxyRegistry();
  private final Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create());
  final AdsServer ads;
  private final Server server;
  final ManagedChannel channel;

  AdsHarness() {
    this(ProxyAuthenticator.OPEN);
  }

  /**
   * Streams are admitted as {@code authenticator} decides (every client presents no credential
   * here).
   */
  AdsHarness(ProxyAuthenticator authenticator) {
    ads =
        new AdsServer(
            proxies,
            telemetry.metrics(),
            new PropagationTracker(proxies, telemetry.metrics()),
            authenticator);
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(ads)
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  long metric(String name) {
    return telemetry.metrics().get(name);
  }

  long metric(String name, String type) {
    return telemetry.metrics().get(name, "type", type);
  }

  void serve(XdsResources resources) {
    HashedSnapshot previous = ads.snapshot("edge");
    ads.setSnapshot("edge", new HashedSnapshot(resources, previous));
  }

  SotwClient sotw(String nodeId) {
    return new SotwClient(channel, nodeId);
  }

  DeltaClient delta(String nodeId) {
    return new DeltaClient(channel, nodeId);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ads.close();
    telemetry.close();
  }

  static Node node(String id) {
    return Node.newBuilder().setId(id).setCluster("edge").build();
  }

  /** A SotW stream whose responses queue up for the test to take. */
  static final class SotwClient implements AutoCloseable {
    final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    private final StreamObserver<DiscoveryRequest> requests;
    private final Node node;
    final String nodeId;
    private boolean first = true;

    SotwClient(ManagedChannel channel, String nodeId) {
      this.nodeId = nodeId;
      node = node(nodeId);
      requests =
          AggregatedDiscoveryServiceGrpc.newStub(channel)
              .streamAggregatedResources(new Collector<>(responses));
    }

    /** Sends a request; the node only on the first, as Envoy does. */
    synchronized void send(DiscoveryRequest.Builder r) {
      if (first) {
        r.setNode(node);
        first = false;
      }
      requests.onNext(r.build());
    }

    void request(String typeUrl, List<String> names) {
      send(DiscoveryRequest.newBuilder().setTypeUrl(typeUrl).addAllResourceNames(names));
    }

    void ack(DiscoveryResponse r, List<String> names) {
      send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(r.getTypeUrl())
              .setVersionInfo(r.getVersionInfo())
              .setResponseNonce(r.getNonce())
              .addAllResourceNames(names));
    }

    DiscoveryResponse next() throws InterruptedException {
      DiscoveryResponse r = responses.poll(5, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("no response within 5 s");
      }
      return r;
    }

    /** The next response if one comes within the time, else null. */
    DiscoveryResponse within(Duration d) throws InterruptedException {
      return responses.poll(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      requests.onCompleted();
    }
  }

  /** A delta stream whose responses queue up for the test to take. */
  static final class DeltaClient implements AutoCloseable {
    final BlockingQueue<DeltaDiscoveryResponse> responses = new LinkedBlockingQueue<>();
    private final StreamObserver<DeltaDiscoveryRequest> requests;
    private final Node node;
    final String nodeId;
    private boolean first = true;

    DeltaClient(ManagedChannel channel, String nodeId) {
      this.nodeId = nodeId;
      node = node(nodeId);
      requests =
          AggregatedDiscoveryServiceGrpc.newStub(channel)
              .deltaAggregatedResources(new Collector<>(responses));
    }

    synchronized void send(DeltaDiscoveryRequest.Builder r) {
      if (first) {
        r.setNode(node);
        first = false;
      }
      requests.onNext(r.build());
    }

    void subscribe(String typeUrl, List<String> names, Map<String, String> initialVersions) {
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(typeUrl)
              .addAllResourceNamesSubscribe(names)
              .putAllInitialResourceVersions(initialVersions));
    }

    void ack(DeltaDiscoveryResponse r) {
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(r.getTypeUrl())
              .setResponseNonce(r.getNonce()));
    }

    DeltaDiscoveryResponse next() throws InterruptedException {
      DeltaDiscoveryResponse r = responses.poll(5, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("no response within 5 s");
      }
      return r;
    }

    DeltaDiscoveryResponse within(Duration d) throws InterruptedException {
      return responses.poll(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      requests.onCompleted();
    }
  }

  private record Collector<T>(BlockingQueue<T> queue) implements StreamObserver<T> {
    @Override
    public void onNext(T value) {
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  /**
   * An edge configuration: one EDS cluster per service, each with one endpoint on its port, a
   * listener and its route table.
   */
  static XdsResources config(Map<String, Integer> services) {
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    services.forEach(
        (name, port) -> {
          clusters.add(
              Cluster.newBuilder()
                  .setName(name)
                  .setType(Cluster.DiscoveryType.EDS)
                  .setEdsClusterConfig(
                      Cluster.EdsClusterConfig.newBuilder()
                          .setEdsConfig(
                              ConfigSource.newBuilder()
                                  .setAds(AggregatedConfigSource.getDefaultInstance())))
                  .build());
          endpoints.add(
              ClusterLoadAssignment.newBuilder()
                  .setClusterName(name)
                  .addEndpoints(
                      LocalityLbEndpoints.newBuilder()
                          .addLbEndpoints(
                              LbEndpoint.newBuilder()
                                  .setEndpoint(
                                      Endpoint.newBuilder()
                                          .setAddress(
                                              Address.newBuilder()
                                                  .setSocketAddress(
                                                      SocketAddress.newBuilder()
                                                          .setAddress("127.0.0.1")
                                                          .setPortValue(port))))))
                  .build());
        });
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("edge")
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName("edge")
                    .setConfigSource(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())))
            .build();
    Listener listener =
        Listener.newBuilder()
            .setName("edge")
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.http_connection_manager")
                            .setTypedConfig(Any.pack(hcm))))
            .build();
    return new XdsResources(
        List.of(listener),
        List.of(RouteConfiguration.newBuilder().setName("edge").build()),
        clusters,
        endpoints,
        List.of(),
        Map.of());
  }
}
