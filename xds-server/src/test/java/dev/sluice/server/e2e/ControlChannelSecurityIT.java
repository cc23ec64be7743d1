package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.auth.ControlPlaneTls;
import dev.sluice.server.auth.SecurityOptions;
import dev.sluice.testing.AdsClient;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.RepoPaths;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The control channel with TLS and proxy tokens, seen by a raw ADS client: what it is refused, what
 * it is sent, and what the operator sees of the refusals.
 */
class ControlChannelSecurityIT {
  static final String ORDERS_TOKEN = "orders-token-0123456789";
  static final String WEB_TOKEN = "web-token-0123456789";
  static final String EDGE_TOKEN = "edge-token-0123456789";
  static SluiceFixture sluice;
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();
  static Path tokens;

  @BeforeAll
  static void start() {
    sluice = new SluiceFixture();
    tokens = sluice.dir.resolve("proxy-tokens.yaml");
    sluice.write(tokens, tokenFile(true));
    sluice.writeRegistry("services:\n  orders: [127.0.0.1:9]\n  web: [127.0.0.1:9]\n");
    sluice.writePolicy(
        "mesh.yaml",
        "kind: Mesh\nname: mesh\ntrustDomain: sluice.test\n"
            + "---\nkind: Sidecar\nname: web\ninbound: {port: "
            + FreePorts.next()
            + ", appPort: 9001}\n"
            + "---\nkind: Sidecar\nname: orders\ninbound: {port: "
            + FreePorts.next()
            + ", appPort: 9002}\n");
    sluice
        .meshCa(Duration.ofHours(1))
        .security(
            SecurityOptions.none()
                .withTls(
                    ControlPlaneTls.Options.builtIn(
                        sluice.dir.resolve("xds-tls"), ControlPlaneTls.Options.defaultNames()))
                .withProxyTokens(tokens))
        .start();
    await().atMost(Duration.ofSeconds(30)).until(() -> sluice.admin("/ready").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    sluice.close();
  }

  static String tokenFile(boolean withOrders) {
    return "tokens:\n"
        + (withOrders
            ? "  - {name: orders, hash: \"" + hash(ORDERS_TOKEN) + "\", services: [orders]}\n"
            : "")
        + "  - {name: web, hash: \""
        + hash(WEB_TOKEN)
        + "\", services: [web]}\n"
        + "  - {name: edge, hash: \""
        + hash(EDGE_TOKEN)
        + "\", gateways: [edge]}\n";
  }

  static String hash(String token) {
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aClientWithoutATokenIsRefusedAndSentNoSecret() throws Exception {
    try (AdsClient c = client(null)) {
      Status s = c.sidecar("orders").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription()).contains("no token").contains("service orders");
    }
  }

  @Test
  void anUnknownTokenIsRefused() throws Exception {
    try (AdsClient c = client("not-a-token")) {
      Status s = c.sidecar("orders").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription())
          .contains("not one of the proxy tokens")
          .doesNotContain("not-a-token");
    }
  }

  @Test
  void aTokenForOneServiceCannotClaimAnother() throws Exception {
    try (AdsClient c = client(WEB_TOKEN)) {
      Status s = c.sidecar("orders").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription()).isEqualTo("token web does not grant service orders");
    }
  }

  @Test
  void aGatewayTokenCannotClaimASidecar() throws Exception {
    try (AdsClient c = client(EDGE_TOKEN)) {
      Status s = c.sidecar("orders").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
  }

  @Test
  void aSidecarWithItsTokenGetsItsOwnKeyAndTheTrustBundleOnly() throws Exception {
    try (AdsClient c = client(ORDERS_TOKEN)) {
      DiscoveryResponse r = c.sidecar("orders").next();
      assertThat(r.getTypeUrl()).isEqualTo(AdsClient.SECRET_TYPE);
      List<String> identities = new ArrayList<>();
      for (var any : r.getResourcesList()) {
        Secret secret = any.unpack(Secret.class);
        if (secret.hasTlsCertificate()) {
          identities.add(
              uriSan(secret.getTlsCertificate().getCertificateChain().getInlineString()));
          assertThat(secret.getTlsCertificate().getPrivateKey().getInlineString())
              .contains("PRIVATE KEY");
        }
      }
      assertThat(identities).containsExactly("spiffe://sluice.test/service/orders");
    }
  }

  @Test
  void anEnvoyWithItsTokenGetsItsCertificateOverTlsAndAnImpostorEnvoyGetsNothing()
      throws Exception {
    Path ca = sluice.dir.resolve("xds-tls").resolve("ca.pem");
    Path bootstrap = RepoPaths.resolve("envoy-configs/sidecar.yaml");
    EnvoyProcess orders =
        envoys.start(
            bootstrap,
            EnvoyProcess.Options.ads(sluice.xdsPort)
                .node("orders-1", "orders")
                .secure(ca, ORDERS_TOKEN));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(orders.admin("/config_dump?resource=dynamic_active_secrets").body())
                    .contains("\"mesh-cert\""));
    EnvoyProcess impostor =
        envoys.start(
            bootstrap,
            EnvoyProcess.Options.ads(sluice.xdsPort)
                .node("impostor-1", "orders")
                .secure(ca, WEB_TOKEN));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        sluice
                            .adminJson("/proxies")
                            .path("controlChannel")
                            .path("refused")
                            .toString())
                    .contains("impostor-1"));
    assertThat(impostor.admin("/config_dump?resource=dynamic_active_secrets").body())
        .doesNotContain("mesh-cert");
    assertThat(impostor.stat("control_plane.connected_state")).hasValue(0);
    assertThat(sluice.adminJson("/proxies").path("proxies").toString())
        .contains("orders-1")
        .doesNotContain("impostor-1");
    assertThat(sluice.adminJson("/proxies").path("proxies").findValuesAsText("credential"))
        .contains("orders");
  }

  @Test
  void aPlaintextClientIsRefusedWhenTlsIsOn() throws Exception {
    try (AdsClient c = AdsClient.to("localhost", sluice.xdsPort).token(ORDERS_TOKEN).connect()) {
      Status s = c.sidecar("orders").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  @Test
  void refusalsAreCountedAndShownOnThePage() throws Exception {
    try (AdsClient c = client(WEB_TOKEN)) {
      c.sidecar("orders\nfake log line").awaitEnd();
    }
    assertThat(sluice.admin("/metrics").body())
        .containsPattern("sluice_xds_denied_total\\{[^}]*reason=\"not_granted\"[^}]*\\} [1-9]");
    String page = sluice.admin("/").body();
    assertThat(page)
        .contains("<tr class=refused>")
        .contains("token web does not grant service orders\\nfake log line");
    assertThat(sluice.adminJson("/proxies").path("controlChannel").path("refused").toString())
        .contains("not_granted")
        .doesNotContain(WEB_TOKEN);
  }

  @Test
  void removingATokenFromTheFileEndsTheStreamsThatUseIt() throws Exception {
    try (AdsClient c = client(ORDERS_TOKEN)) {
      AdsClient.Sotw orders = c.sidecar("orders");
      orders.next();
      sluice.write(tokens, tokenFile(false));
      try {
        Status s = orders.awaitEnd();
        assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(s.getDescription()).startsWith("credential withdrawn: ");
      } finally {
        sluice.write(tokens, tokenFile(true));
      }
    }
  }

  static AdsClient client(String token) {
    return AdsClient.tls(sluice.xdsPort, sluice.dir.resolve("xds-tls").resolve("ca.pem"), token);
  }

  static String uriSan(String pem) throws Exception {
    X509Certificate cert =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    for (List<?> san : cert.getSubjectAlternativeNames()) {
      if (Integer.valueOf(6).equals(san.get(0))) {
        return (String) san.get(1);
      }
    }
    return "";
  }
}
