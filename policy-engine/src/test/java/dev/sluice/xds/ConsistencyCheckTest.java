package dev.sluice.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsistencyCheckTest {
  private static Listener tlsListener(String cert, String ca) {
    DownstreamTlsContext tls =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName(cert))
                    .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName(ca)))
            .build();
    return Listener.newBuilder()
        .setName("http-8443")
        .addFilterChains(
            FilterChain.newBuilder()
                .setTransportSocket(
                    TransportSocket.newBuilder()
                        .setName("envoy.transport_sockets.tls")
                        .setTypedConfig(Any.pack(tls))))
        .build();
  }

  @Test
  void everySecretAListenerNamesMustBeInTheSnapshot() {
    XdsResources r =
        new XdsResources(
            List.of(tlsListener("http-8443-cert", "http-8443-client-ca")),
            List.of(),
            List.of(),
            List.of(),
            List.of(Secret.newBuilder().setName("http-8443-cert").build()),
            Map.of());

    assertThat(ConsistencyCheck.problems(r))
        .containsExactly(
            "listener http-8443 uses secret http-8443-client-ca which is not in the snapshot");
  }

  @Test
  void everySecretAClusterNamesMustBeInTheSnapshot() {
    var tls =
        UpstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .addTlsCertificateSdsSecretConfigs(
                        SdsSecretConfig.newBuilder().setName("mesh-cert")))
            .build();
    var cluster =
        Cluster.newBuilder()
            .setName("users")
            .setTransportSocket(
                TransportSocket.newBuilder()
                    .setName("envoy.transport_sockets.tls")
                    .setTypedConfig(Any.pack(tls)))
            .build();
    XdsResources r =
        new XdsResources(List.of(), List.of(), List.of(cluster), List.of(), List.of(), Map.of());

    assertThat(ConsistencyCheck.problems(r))
        .containsExactly("cluster users uses secret mesh-cert which is not in the snapshot");
  }

  @Test
  void everyRouteTableAListenerNamesMustBeInTheSnapshot() {
    var hcm =
        io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
            .HttpConnectionManager.newBuilder()
            .setRds(Rds.newBuilder().setRouteConfigName("http-8080"))
            .build();
    Listener l =
        Listener.newBuilder()
            .setName("http-8080")
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName(ListenerTranslator.HCM_FILTER)
                            .setTypedConfig(Any.pack(hcm))))
            .build();
    XdsResources r =
        new XdsResources(List.of(l), List.of(), List.of(), List.of(), List.of(), Map.of());

    assertThat(ConsistencyCheck.problems(r))
        .containsExactly(
            "listener http-8080 uses route table http-8080 which is not in the snapshot");
  }
}
