package dev.sluice.xds;

import com.google.protobuf.Any;
import dev.sluice.ir.MeshClient;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.SidecarConfig;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/**
 * mTLS on the clusters a group reaches through sidecars (built by {@link ClusterTranslator} like
 * any cluster, amended here): the group presents its workload certificate and accepts only the peer
 * service's exact SPIFFE ID, chained to the mesh root. The same for a sidecar's upstreams and a
 * gateway's routes to services that have sidecars.
 */
final class MeshClientTranslator implements FeatureTranslator {
  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    if (ir.meshClient().isEmpty()) {
      return;
    }
    MeshClient client = ir.meshClient().get();
    for (MeshClient.Peer peer : client.peers()) {
      var cluster = out.amendCluster(peer.cluster());
      cluster.setTransportSocket(
          TransportSocket.newBuilder()
              .setName(TlsTranslator.TRANSPORT_SOCKET)
              .setTypedConfig(
                  Any.pack(
                      UpstreamTlsContext.newBuilder()
                          .setSni(peer.service())
                          .setCommonTlsContext(
                              commonTls(
                                  SubjectAltNameMatcher.newBuilder()
                                      .setSanType(SubjectAltNameMatcher.SanType.URI)
                                      .setMatcher(
                                          StringMatcher.newBuilder().setExact(peer.spiffeId()))
                                      .build()))
                          .build())));
      out.origin(
          "cluster/" + peer.cluster(),
          "mesh identity " + client.spiffeId() + " → " + peer.spiffeId());
    }
  }

  /**
   * The group's workload certificate, the mesh root, and which peer identities the handshake
   * accepts; for both ends of a mesh connection.
   */
  static CommonTlsContext commonTls(SubjectAltNameMatcher peer) {
    return CommonTlsContext.newBuilder()
        // both ends are Envoys configured by us: TLS 1.3 only. The maximum must be said too:
        // Envoy's default maximum for upstream connections is 1.2, and min 1.3 with max 1.2 fails
        // every handshake (NO_SUPPORTED_VERSIONS_ENABLED)
        .setTlsParams(
            TlsParameters.newBuilder()
                .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3)
                .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3))
        .addTlsCertificateSdsSecretConfigs(sds(SidecarConfig.CERT_SECRET))
        .setCombinedValidationContext(
            CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(
                    CertificateValidationContext.newBuilder().addMatchTypedSubjectAltNames(peer))
                .setValidationContextSdsSecretConfig(sds(SidecarConfig.TRUST_SECRET)))
        .build();
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(Protos.ads()).build();
  }
}
