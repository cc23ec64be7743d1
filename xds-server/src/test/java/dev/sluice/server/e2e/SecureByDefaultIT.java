package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.auth.SecurityOptions;
import dev.sluice.testing.TestCertificates;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A control plane reachable beyond loopback without TLS and proxy credentials does not serve
 * private keys unless the operator says so with --insecure-xds, and then says so itself.
 */
class SecureByDefaultIT {
  private static void tlsGateway(SluiceFixture sluice) {
    TestCertificates.Issued cert = TestCertificates.ca("Secure by default CA").server("edge");
    sluice.write(sluice.policies.resolve("edge.pem"), cert.certificatePem());
    sluice.write(sluice.policies.resolve("edge-key.pem"), cert.keyPem());
    sluice.writePolicy(
        "gateway.yaml",
        "kind: Gateway\nname: edge\nport: "
            + sluice.gatewayPort
            + "\ntls: {certificate: edge.pem, key: edge-key.pem}\n");
    sluice.writeRegistry("services: {}\n");
  }

  @Test
  void aMeshOnAnExposedPlaintextControlPlaneRefusesToStart() {
    try (SluiceFixture sluice =
        new SluiceFixture().xdsHost("0.0.0.0").meshCa(Duration.ofHours(1))) {
      sluice.writeRegistry("services: {}\n");
      assertThatThrownBy(sluice::start)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "refusing to serve the mesh's workload keys over plaintext or unauthenticated xDS on 0.0.0.0")
          .hasMessageContaining("--insecure-xds");
    }
  }

  @Test
  void aGatewaysTlsKeyOnAnExposedPlaintextControlPlaneIsRefusedWithItsFileAndLine() {
    try (SluiceFixture sluice = new SluiceFixture().xdsHost("0.0.0.0")) {
      tlsGateway(sluice);
      sluice.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(sluice.admin("/policies").body())
                      .contains(
                          "this gateway's TLS key would travel over plaintext or unauthenticated xDS on 0.0.0.0"));
      assertThat(sluice.admin("/ready").statusCode()).isEqualTo(503);
      assertThat(sluice.admin("/policies").body()).contains("gateway.yaml");
    }
  }

  @Test
  void insecureXdsServesThemAndTheStatusPageSaysSo() {
    try (SluiceFixture sluice =
        new SluiceFixture().xdsHost("0.0.0.0").security(SecurityOptions.none().insecure())) {
      tlsGateway(sluice);
      sluice.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> sluice.admin("/ready").statusCode() == 200);
      assertThat(sluice.admin("/").body()).contains("id=insecure-xds");
      assertThat(sluice.adminJson("/proxies").path("controlChannel").path("insecure").asBoolean())
          .isTrue();
    }
  }

  @Test
  void onLoopbackAPlaintextControlPlaneServesKeys() {
    try (SluiceFixture sluice = new SluiceFixture()) {
      tlsGateway(sluice);
      sluice.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> sluice.admin("/ready").statusCode() == 200);
      assertThat(sluice.admin("/").body()).doesNotContain("id=insecure-xds");
    }
  }
}
