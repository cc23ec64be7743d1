package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.sluice.ir.DnsCluster;
import dev.sluice.ir.ProxyConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.time.Duration;

/**
 * Clusters for hosts outside the registry (JWKS URLs, OpenTelemetry collectors): resolved by
 * Envoy's DNS, with TLS checked against the system's CA bundle for https, and HTTP/2 for gRPC
 * services.
 */
final class DnsClusterTranslator implements FeatureTranslator {
  /** Debian's and Envoy's official image's CA bundle. */
  static final String SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt";

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (DnsCluster c : ir.dnsClusters()) {
      Cluster.Builder cluster =
          Cluster.newBuilder()
              .setName(c.name())
              .setType(Cluster.DiscoveryType.STRICT_DNS)
              .setConnectTimeout(Protos.duration(Duration.ofSeconds(5)))
              .setPerConnectionBufferLimitBytes(UInt32Value.of(ClusterTranslator.BUFFER_LIMIT))
              .setLoadAssignment(
                  ClusterLoadAssignment.newBuilder()
                      .setClusterName(c.name())
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
                                                              .setAddress(c.host())
                                                              .setPortValue(c.port())))))));
      if (c.tls()) {
        cluster.setTransportSocket(
            TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(
                    Any.pack(
                        UpstreamTlsContext.newBuilder()
                            .setSni(c.host())
                            .setCommonTlsContext(
                                CommonTlsContext.newBuilder()
                                    .setValidationContext(
                                        CertificateValidationContext.newBuilder()
                                            .setTrustedCa(
                                                DataSource.newBuilder().setFilename(SYSTEM_CA))
                                            // the certificate must be for this host, not just any
                                            // the CAs signed
                                            .addMatchTypedSubjectAltNames(
                                                SubjectAltNameMatcher.newBuilder()
                                                    .setSanType(SubjectAltNameMatcher.SanType.DNS)
                                                    .setMatcher(
                                                        StringMatcher.newBuilder()
                                                            .setExact(c.host())))))
                            .build())));
      }
      if (c.http2()) {
        cluster.putTypedExtensionProtocolOptions(
            ProtocolFeature.HTTP_OPTIONS,
            Any.pack(
                HttpProtocolOptions.newBuilder()
                    .setExplicitHttpConfig(
                        HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                    .build()));
      }
      out.cluster(cluster.build());
    }
  }
}
