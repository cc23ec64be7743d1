package dev.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client against java-control-plane's own ADS server: it subscribes, gets everything, and sees
 * each endpoint change.
 */
class FanoutSmokeTest {

  @ParameterizedTest
  @EnumSource(Options.Protocol.class)
  void everyStreamGetsItsInitialConfigAndThenEachChangedEndpoint(Options.Protocol protocol)
      throws Exception {
    // one group: the client sends its node only on a stream's first request, as Sluice's Envoys do,
    // and the plain library would group the later, node-less requests elsewhere
    SimpleCache<String> cache = new SimpleCache<>(node -> "edge");
    cache.setSnapshot("edge", snapshot("v1", 9001));
    Server server =
        NettyServerBuilder.forPort(0)
            .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
    try {
      Options.Change change = new Options.Change("svc-1", "127.0.0.1:9999", null, null);
      Options options =
          new Options(
              "127.0.0.1",
              server.getPort(),
              7,
              protocol,
              3,
              2,
              "edge",
              "smoke",
              List.of(change),
              false,
              Duration.ofSeconds(20),
              Duration.ofSeconds(20),
              Options.Security.NONE);
      try (Fanout fanout = new Fanout(options).open()) {
        Fanout.Phase initial = fanout.awaitInitial();
        assertThat(initial.ok()).as(initial.toString()).isEqualTo(7);
        assertThat(initial.failures()).isEmpty();

        Fanout.Phase changed =
            fanout.change(0, change, () -> cache.setSnapshot("edge", snapshot("v2", 9999)));
        assertThat(changed.ok()).isEqualTo(7);
        assertThat(changed.stats().maxMs()).isGreaterThanOrEqualTo(changed.stats().p50Ms());
        assertThat(fanout.received()).contains("ClusterLoadAssignment: ");

        Options.Change back = new Options.Change("svc-1", "127.0.0.1:9001", null, null);
        assertThat(
                fanout.change(1, back, () -> cache.setSnapshot("edge", snapshot("v3", 9001))).ok())
            .isEqualTo(7);
      }
    } finally {
      server.shutdownNow().awaitTermination();
    }
  }

  /**
   * Three EDS clusters, one listener pointing at one route table; svc-1's first endpoint is on
   * {@code port}.
   */
  static Snapshot snapshot(String version, int port) {
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = "svc-" + i;
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
                                                      .setPortValue(i == 1 ? port : 9000 + i))))))
              .build());
    }
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("edge")
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName("edge-routes")
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
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("edge-routes").build();
    return Snapshot.create(
        clusters, endpoints, List.of(listener), List.of(routes), List.of(), version);
  }
}
