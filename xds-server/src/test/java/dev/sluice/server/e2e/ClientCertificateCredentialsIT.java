package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.auth.ControlPlaneTls;
import dev.sluice.server.auth.SecurityOptions;
import dev.sluice.server.mesh.CertificateAuthority;
import dev.sluice.server.mesh.WorkloadCertificate;
import dev.sluice.testing.AdsClient;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS on the control channel: a client certificate from the configured client CA is a proxy
 * credential, its SPIFFE ID granting one service (or gateway), nothing else; without one the token
 * decides.
 */
class ClientCertificateCredentialsIT {
  static SluiceFixture sluice;
  static CertificateAuthority clientCa;

  @BeforeAll
  static void start() {
    sluice = new SluiceFixture();
    // the client CA: here the mesh's own, whose workload certificates then double as credentials
    clientCa =
        CertificateAuthority.loadOrCreate(
            sluice.dir.resolve("clients"), "sluice.test", Clock.systemUTC());
    sluice.writeRegistry("services:\n  orders: [127.0.0.1:9]\n  web: [127.0.0.1:9]\n");
    sluice.writePolicy(
        "mesh.yaml",
        "kind: Mesh\nname: mesh\ntrustDomain: sluice.test\n"
            + "---\nkind: Sidecar\nname: orders\ninbound: {port: 21002, appPort: 9002}\n");
    sluice
        .meshCa(Duration.ofHours(1))
        .security(
            SecurityOptions.none()
                .withTls(
                    ControlPlaneTls.Options.builtIn(
                            sluice.dir.resolve("xds-tls"), ControlPlaneTls.Options.defaultNames())
                        .withClientCa(sluice.dir.resolve("clients").resolve("ca.pem"), false)))
        .start();
    await().atMost(Duration.ofSeconds(30)).until(() -> sluice.admin("/ready").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    sluice.close();
  }

  private static AdsClient withCertificateOf(String service) {
    return presenting(clientCa.issue(service, Duration.ofHours(1)));
  }

  /** Over TLS to Sluice, presenting {@code c} as the client certificate. */
  private static AdsClient presenting(WorkloadCertificate c) {
    return AdsClient.to("localhost", sluice.xdsPort)
        .trusting(sluice.dir.resolve("xds-tls").resolve("ca.pem"))
        .presenting(c.certificatePem(), c.privateKeyPem())
        .connect();
  }

  @Test
  void aCertificateOfTheServiceIsAdmittedAsItsSidecar() throws Exception {
    try (AdsClient c = withCertificateOf("orders")) {
      DiscoveryResponse r = c.sidecar("orders").next();
      assertThat(r.getResourcesCount()).isPositive();
    }
  }

  @Test
  void aCertificateOfAnotherServiceIsRefused() throws Exception {
    try (AdsClient c = withCertificateOf("web")) {
      Status s = c.sidecar("orders").awaitEnd();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription())
          .isEqualTo("certificate spiffe://sluice.test/service/web does not grant service orders");
    }
  }

  @Test
  void withoutACertificateOrTokenTheClientIsRefused() throws Exception {
    try (AdsClient c =
        AdsClient.tls(sluice.xdsPort, sluice.dir.resolve("xds-tls").resolve("ca.pem"), null)) {
      Status s = c.sidecar("orders").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
  }

  @Test
  void aCertificateFromAnotherCaFailsTheHandshake() throws Exception {
    CertificateAuthority stranger =
        CertificateAuthority.loadOrCreate(
            sluice.dir.resolve("stranger"), "sluice.test", Clock.systemUTC());
    WorkloadCertificate c = stranger.issue("orders", Duration.ofHours(1));
    try (AdsClient client = presenting(c)) {
      Status s = client.sidecar("orders").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
  }
}
