package dev.sluice.server.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.ir.MeshClient;
import dev.sluice.ir.SidecarConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mesh secrets as far as an offline render can know them. Their certificates are issued at run
 * time by the server's mesh CA, so a render shows, in their place, what decides them: the identity
 * of the workload certificate and the trust domain. A server's real secrets are read down to the
 * same form, so {@code diff --server} compares like with like and an unchanged policy folder shows
 * no change.
 */
final class MeshSecretStubs {
  private static final String ISSUED = "a certificate issued at run time by the server's mesh CA";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private MeshSecretStubs() {}

  /** The rendered group with stubs for the mesh secrets its proxies get. */
  static Rendered withStubs(Rendered r, MeshClient client) {
    return replaceSecrets(r, List.of(certificate(client.spiffeId()), trust(client.trustDomain())));
  }

  /** A server's rendered group with its mesh secrets read down to their stubs. */
  static Rendered asStubs(Rendered r) {
    Optional<String> identity =
        r.resource(XdsType.SECRETS, SidecarConfig.CERT_SECRET).flatMap(MeshSecretStubs::identityOf);
    if (identity.isEmpty()) {
      return r;
    }
    String trustDomain = identity.get().replaceFirst("^spiffe://([^/]+).*$", "$1");
    return replaceSecrets(r, List.of(certificate(identity.get()), trust(trustDomain)));
  }

  private static Rendered.Resource certificate(String spiffeId) {
    ObjectNode n = NODES.objectNode();
    n.put("name", SidecarConfig.CERT_SECRET);
    n.put("identity", spiffeId);
    n.put("not_shown", ISSUED);
    return new Rendered.Resource(SidecarConfig.CERT_SECRET, n);
  }

  private static Rendered.Resource trust(String trustDomain) {
    ObjectNode n = NODES.objectNode();
    n.put("name", SidecarConfig.TRUST_SECRET);
    n.put("trust_domain", trustDomain);
    n.put("not_shown", ISSUED);
    return new Rendered.Resource(SidecarConfig.TRUST_SECRET, n);
  }

  private static Rendered replaceSecrets(Rendered r, List<Rendered.Resource> stubs) {
    Map<XdsType, List<Rendered.Resource>> all = new EnumMap<>(r.resources());
    List<Rendered.Resource> secrets = new ArrayList<>(r.of(XdsType.SECRETS));
    secrets.removeIf(s -> stubs.stream().anyMatch(stub -> stub.name().equals(s.name())));
    secrets.addAll(stubs);
    all.put(XdsType.SECRETS, secrets);
    return new Rendered(r.group(), all);
  }

  /** The SPIFFE ID in the URI SAN of the first certificate of the secret's chain. */
  private static Optional<String> identityOf(Rendered.Resource secret) {
    JsonNode pem =
        secret.json().path("tls_certificate").path("certificate_chain").path("inline_string");
    if (!pem.isTextual()) {
      return Optional.empty();
    }
    try {
      var cert =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new ByteArrayInputStream(pem.asText().getBytes(StandardCharsets.US_ASCII)));
      if (cert.getSubjectAlternativeNames() == null) {
        return Optional.empty();
      }
      return cert.getSubjectAlternativeNames().stream()
          .filter(
              san ->
                  Integer.valueOf(6).equals(san.get(0))
                      && String.valueOf(san.get(1)).startsWith("spiffe://"))
          .map(san -> String.valueOf(san.get(1)))
          .findFirst();
    } catch (CertificateException e) {
      return Optional.empty(); // not a certificate: compared as it is
    }
  }
}
