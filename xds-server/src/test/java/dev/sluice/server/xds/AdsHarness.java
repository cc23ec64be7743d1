package dev.sluice.server.xds;

import com.google.protobuf.Any;
import dev.sluice.server.auth.ProxyAuthenticator;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.testing.AdsClient;
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
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  final AdsClient client;

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
    client = AdsClient.plaintext(server.getPort());
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

  /** A SotW stream of {@code nodeId}, an Envoy of the edge group. */
  AdsClient.Sotw sotw(String nodeId) {
    return client.sotw(node(nodeId));
  }

  /** A delta stream of {@code nodeId}, an Envoy of the edge group. */
  AdsClient.Delta delta(String nodeId) {
    return client.delta(node(nodeId));
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ads.close();
    telemetry.close();
  }

  static Node node(String id) {
    return Node.newBuilder().setId(id).setCluster("edge").build();
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
