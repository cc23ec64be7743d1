package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.mesh.CertificateAuthority;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two real sidecar Envoys: web's application calls orders through web's outbound port; the call
 * crosses the mesh over mTLS with the CA's certificates, and orders' sidecar lets it in by web's
 * SPIFFE ID and the ServiceAccess rule.
 */
class MeshIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private EnvoyProcess sidecar(SluiceFixture sluice, String service) throws Exception {
    return startSidecar(envoys, sluice, service);
  }

  /**
   * A sidecar Envoy for {@code service}: envoy-configs/sidecar.yaml with its service, on this
   * Sluice.
   */
  static EnvoyProcess startSidecar(EnvoyExtension envoys, SluiceFixture sluice, String service)
      throws IOException {
    String bootstrap =
        Files.readString(RepoPaths.resolve("envoy-configs/sidecar.yaml"))
            .replace("sluice.service: orders", "sluice.service: " + service);
    Path file = sluice.dir.resolve("sidecar-" + service + ".yaml");
    Files.writeString(file, bootstrap);
    return envoys.start(
        file, EnvoyProcess.Options.ads(sluice.xdsPort).node(service + "-1", service));
  }

  private static int status(int port, String method, String path) {
    try {
      return RawHttp.send(null, port, method, path).status();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void await(String what, IntSupplier status, int expected)
      throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int last = 0;
    while (System.nanoTime() < end) {
      last = status.getAsInt();
      if (last == expected) {
        return;
      }
      Thread.sleep(100);
    }
    assertThat(last).as(what).isEqualTo(expected);
  }

  @Test
  void anAllowedCallCrossesTheMeshOverMtlsAndTheRuleDecides() throws Exception {
    int webInbound = FreePorts.next();
    int webApp = FreePorts.next();
    int ordersInbound = FreePorts.next();
    int outbound = FreePorts.next();
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture().meshCa(Duration.ofHours(1))) {
      sluice.writeRegistry(
          "services:\n  web: [\"127.0.0.1:"
              + webApp
              + "\"]\n  orders: [\""
              + orders.address()
              + "\"]\n");
      sluice.writePolicy(
          "mesh.yaml",
          "kind: Mesh\nname: mesh\ntrustDomain: sluice.test\n"
              + "---\nkind: Sidecar\nname: web\ninbound: {port: "
              + webInbound
              + ", appPort: "
              + webApp
              + "}\n"
              + "upstreams:\n  - {service: orders, localPort: "
              + outbound
              + "}\n"
              + "---\nkind: Sidecar\nname: orders\ninbound: {port: "
              + ordersInbound
              + ", appPort: "
              + orders.port()
              + "}\n");
      sluice.writePolicy(
          "access.yaml",
          "kind: ServiceAccess\nname: web-reads-orders\nfrom: web\nto: orders\nwhen: {methods: [GET]}\n");
      sluice.start();
      sidecar(sluice, "web");
      sidecar(sluice, "orders");
      envoys.awaitAllReady(Duration.ofSeconds(20));

      await(
          "GET from web to orders through the mesh",
          () -> status(outbound, "GET", "/orders/1"),
          200);
      HttpUpstream.Request got = orders.received().get(orders.received().size() - 1);
      assertThat(got.path()).isEqualTo("/orders/1");
      assertThat(got.header("x-forwarded-client-cert"))
          .as("the application sees its caller")
          .contains("URI=spiffe://sluice.test/service/web");

      assertThat(status(outbound, "POST", "/orders")).as("the rule allows GET only").isEqualTo(403);
      int before = orders.requests();
      assertThat(status(ordersInbound, "GET", "/orders/1"))
          .as("plaintext straight to the inbound port")
          .isNotEqualTo(200);
      assertThat(orders.requests()).isEqualTo(before);

      // a client certificate of the mesh's own root is let in (the same path the web sidecar
      // takes)...
      Path root = sluice.dir.resolve("ca").resolve(CertificateAuthority.CERT_FILE);
      var meshCa =
          CertificateAuthority.loadOrCreate(
              sluice.dir.resolve("ca"), "sluice.test", Clock.systemUTC());
      assertThat(
              MtlsProbe.get(
                  ordersInbound, meshCa.issue("web", Duration.ofMinutes(5)), root, "/orders/1"))
          .as("web's identity, direct")
          .isEqualTo(200);
      assertThat(
              MtlsProbe.get(
                  ordersInbound,
                  meshCa.issue("stranger", Duration.ofMinutes(5)),
                  root,
                  "/orders/1"))
          .as("a service of the trust domain that no rule names")
          .isEqualTo(403);
      // ...one from another trust domain (another root) is refused in the handshake
      var otherCa =
          CertificateAuthority.loadOrCreate(
              sluice.dir.resolve("other-ca"), "other.test", Clock.systemUTC());
      assertThat(
              MtlsProbe.get(
                  ordersInbound, otherCa.issue("web", Duration.ofMinutes(5)), root, "/orders/1"))
          .as("another trust domain")
          .isEqualTo(-1);

      // the rule goes: default deny
      Files.delete(sluice.policies.resolve("access.yaml"));
      await("after the ServiceAccess is removed", () -> status(outbound, "GET", "/orders/1"), 403);

      // defaultAccess allow: a service no ServiceAccess names takes any caller of the trust domain
      sluice.writePolicy(
          "mesh.yaml",
          Files.readString(sluice.policies.resolve("mesh.yaml"))
              .replace(
                  "trustDomain: sluice.test\n",
                  "trustDomain: sluice.test\ndefaultAccess: allow\n"));
      await("under defaultAccess allow", () -> status(outbound, "POST", "/orders"), 200);
    }
  }
}
