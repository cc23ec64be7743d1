package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.policy.tls.TlsSpec;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import java.time.Duration;

/**
 * {@code tls} on a Gateway → a TLS transport socket on the listener's filter chain, whose
 * certificate (and client CA) Envoy fetches over SDS on the same ADS stream, and the Secret
 * resources themselves, with the PEM inline.
 *
 * <p>Why SDS rather than the certificate inline in the listener: a rotated certificate is then a
 * new version of the same secret, and Envoy swaps it in for new connections without touching the
 * listener (no drain, open connections keep going). Why inline PEM rather than file names: Envoy
 * needs no access to Sluice's files, and what Envoy serves is exactly what Sluice checked.
 *
 * <p>Runs after {@link ListenerTranslator} and amends the listeners it built.
 */
final class TlsTranslator implements FeatureTranslator {
  static final String TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  /**
   * A client that has not finished its handshake by then is cut off (edge hardening: slow
   * handshakes hold sockets).
   */
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (HttpListener l : ir.listeners()) {
      if (l.tls().isEmpty()) {
        continue;
      }
      TlsSpec tls = l.tls().get();
      Listener.Builder listener = out.listeners.get(l.name());
      CommonTlsContext.Builder common =
          CommonTlsContext.newBuilder()
              .setTlsParams(
                  TlsParameters.newBuilder()
                      .setTlsMinimumProtocolVersion(
                          switch (tls.minVersion()) {
                            case TLS_1_2 -> TlsParameters.TlsProtocol.TLSv1_2;
                            case TLS_1_3 -> TlsParameters.TlsProtocol.TLSv1_3;
                          }))
              .addTlsCertificateSdsSecretConfigs(sds(l.certificateSecretName()))
              // the HTTP connection manager's codec is AUTO: offer HTTP/2, fall back to HTTP/1.1
              .addAlpnProtocols("h2")
              .addAlpnProtocols("http/1.1");
      DownstreamTlsContext.Builder context = DownstreamTlsContext.newBuilder();
      out.secrets.put(
          l.certificateSecretName(),
          Secret.newBuilder()
              .setName(l.certificateSecretName())
              .setTlsCertificate(
                  TlsCertificate.newBuilder()
                      .setCertificateChain(
                          DataSource.newBuilder().setInlineString(tls.certificate().pem()))
                      .setPrivateKey(DataSource.newBuilder().setInlineString(tls.key().pem()))));
      String origin = "Gateway/" + ir.group() + " (tls " + tls.certificate().file() + ")";
      out.origin("secret/" + l.certificateSecretName(), origin);
      tls.clientCa()
          .ifPresent(
              ca -> {
                common.setValidationContextSdsSecretConfig(sds(l.clientCaSecretName()));
                context.setRequireClientCertificate(BoolValue.of(true));
                out.secrets.put(
                    l.clientCaSecretName(),
                    Secret.newBuilder()
                        .setName(l.clientCaSecretName())
                        .setValidationContext(
                            CertificateValidationContext.newBuilder()
                                .setTrustedCa(DataSource.newBuilder().setInlineString(ca.pem()))));
                out.origin(
                    "secret/" + l.clientCaSecretName(),
                    "Gateway/" + ir.group() + " (tls " + ca.file() + ")");
              });
      context.setCommonTlsContext(common);
      for (int i = 0; i < listener.getFilterChainsCount(); i++) {
        listener
            .getFilterChainsBuilder(i)
            .setTransportSocket(
                TransportSocket.newBuilder()
                    .setName(TRANSPORT_SOCKET)
                    .setTypedConfig(Any.pack(context.build())))
            .setTransportSocketConnectTimeout(Protos.duration(HANDSHAKE_TIMEOUT));
      }
    }
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(Protos.ads()).build();
  }
}
