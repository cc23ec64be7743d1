package dev.sluice.xds;

import dev.sluice.ir.SidecarConfig;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SDS secrets of a sidecar group, from the PEMs the server's CA issued: the workload
 * certificate and key ({@link SidecarConfig#CERT_SECRET}) and the mesh root ({@link
 * SidecarConfig#TRUST_SECRET}). The names stay fixed, so a rotated certificate is a new version of
 * the same secret: Envoy uses it for new handshakes, open connections go on, no listener changes.
 */
public final class MeshSecrets {
  private MeshSecrets() {}

  /** {@code resources} with the group's mesh secrets added (replacing any of the same name). */
  public static XdsResources attach(
      XdsResources resources,
      String service,
      String certificatePem,
      String privateKeyPem,
      String trustBundlePem) {
    Map<String, Secret> byName = new TreeMap<>();
    resources.secrets().forEach(s -> byName.put(s.getName(), s));
    byName.put(
        SidecarConfig.CERT_SECRET,
        Secret.newBuilder()
            .setName(SidecarConfig.CERT_SECRET)
            .setTlsCertificate(
                TlsCertificate.newBuilder()
                    .setCertificateChain(DataSource.newBuilder().setInlineString(certificatePem))
                    .setPrivateKey(DataSource.newBuilder().setInlineString(privateKeyPem)))
            .build());
    byName.put(
        SidecarConfig.TRUST_SECRET,
        Secret.newBuilder()
            .setName(SidecarConfig.TRUST_SECRET)
            .setValidationContext(
                CertificateValidationContext.newBuilder()
                    .setTrustedCa(DataSource.newBuilder().setInlineString(trustBundlePem)))
            .build());
    Map<String, List<String>> origins = new TreeMap<>(resources.origins());
    origins.put(
        "secret/" + SidecarConfig.CERT_SECRET,
        List.of("mesh CA (workload certificate of " + service + ")"));
    origins.put("secret/" + SidecarConfig.TRUST_SECRET, List.of("mesh CA (root)"));
    return new XdsResources(
        resources.listeners(),
        resources.routes(),
        resources.clusters(),
        resources.endpoints(),
        new ArrayList<>(byName.values()),
        origins);
  }
}
