package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
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
  @RegisterExtension
  final EnvoyExtension envoys = new EnvoyExtension();

  private EnvoyProcess sidecar(SluiceFixture sluice, String service) throws Exception {
    String bootstrap = Files.readString(RepoPaths.resolve("envoy-configs/sidecar.yaml"))
        .replace("sluice.service: orders", "sluice.service: " + service);
    Path file = sluice.dir.resolve("sidecar-" + service + ".yaml");
    Files.writeString(file, bootstrap);
    return envoys.start(file, EnvoyProcess.Options.ads(sluice.xdsPort).node(service + "-1", service));
  }

  private static int status(int port, String method, String path) {
    try {
      return RawHttp.send(null, port, method, path).status();
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * A GET straight to a sidecar's inbound port over TLS with this client certificate, trusting the
   * mesh root for the server; the status, or -1 when the handshake or the connection fails.
   */
  private static int mtlsGet(int port, dev.sluice.server.mesh.WorkloadCertificate client, Path meshRoot) {
    try {
      var certs = java.security.cert.CertificateFactory.getInstance("X.509");
      var leaf = (java.security.cert.X509Certificate) certs.generateCertificate(
          new java.io.ByteArrayInputStream(client.certificatePem().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      String b64 = client.privateKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      var key = java.security.KeyFactory.getInstance("EC")
          .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(b64)));
      var keys = java.security.KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", key, new char[0], new java.security.cert.Certificate[] {leaf});
      var trust = java.security.KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      try (var in = Files.newInputStream(meshRoot)) {
        trust.setCertificateEntry("mesh", certs.generateCertificate(in));
      }
      var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      var ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      try (var socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
        socket.setSoTimeout(5000);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.startHandshake();
        socket.getOutputStream().write("GET /orders/1 HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
            java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        return line == null ? -1 : Integer.parseInt(line.split(" ")[1]);
      }
    } catch (java.io.IOException e) {
      return -1;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, IntSupplier status, int expected) throws InterruptedException {
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
    try (HttpUpstream orders = HttpUpstream.start("orders"); SluiceFixture sluice = new SluiceFixture().meshCa(Duration.ofHours(1))) {
      sluice.writeRegistry("services:\n  web: [\"127.0.0.1:" + webApp + "\"]\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy("mesh.yaml", "kind: Mesh\nname: mesh\ntrustDomain: sluice.test\n"
          + "---\nkind: Sidecar\nname: web\ninbound: {port: " + webInbound + ", appPort: " + webApp + "}\n"
          + "upstreams:\n  - {service: orders, localPort: " + outbound + "}\n"
          + "---\nkind: Sidecar\nname: orders\ninbound: {port: " + ordersInbound + ", appPort: " + orders.port() + "}\n");
      sluice.writePolicy("access.yaml", "kind: ServiceAccess\nname: web-reads-orders\nfrom: web\nto: orders\nwhen: {methods: [GET]}\n");
      sluice.start();
      sidecar(sluice, "web");
      sidecar(sluice, "orders");
      envoys.awaitAllReady(Duration.ofSeconds(20));

      await("GET from web to orders through the mesh", () -> status(outbound, "GET", "/orders/1"), 200);
      HttpUpstream.Request got = orders.received().get(orders.received().size() - 1);
      assertThat(got.path()).isEqualTo("/orders/1");
      assertThat(got.header("x-forwarded-client-cert")).as("the application sees its caller")
          .contains("URI=spiffe://sluice.test/service/web");

      assertThat(status(outbound, "POST", "/orders")).as("the rule allows GET only").isEqualTo(403);
      int before = orders.requests();
      assertThat(status(ordersInbound, "GET", "/orders/1")).as("plaintext straight to the inbound port").isNotEqualTo(200);
      assertThat(orders.requests()).isEqualTo(before);

      // a client certificate of the mesh's own root is let in (the same path the web sidecar takes)...
      Path root = sluice.dir.resolve("ca").resolve(dev.sluice.server.mesh.CertificateAuthority.CERT_FILE);
      var meshCa = dev.sluice.server.mesh.CertificateAuthority.loadOrCreate(sluice.dir.resolve("ca"), "sluice.test",
          java.time.Clock.systemUTC());
      assertThat(mtlsGet(ordersInbound, meshCa.issue("web", Duration.ofMinutes(5)), root)).as("web's identity, direct").isEqualTo(200);
      assertThat(mtlsGet(ordersInbound, meshCa.issue("stranger", Duration.ofMinutes(5)), root))
          .as("a service of the trust domain that no rule names").isEqualTo(403);
      // ...one from another trust domain (another root) is refused in the handshake
      var otherCa = dev.sluice.server.mesh.CertificateAuthority.loadOrCreate(sluice.dir.resolve("other-ca"), "other.test",
          java.time.Clock.systemUTC());
      assertThat(mtlsGet(ordersInbound, otherCa.issue("web", Duration.ofMinutes(5)), root)).as("another trust domain").isEqualTo(-1);

      // the rule goes: default deny
      Files.delete(sluice.policies.resolve("access.yaml"));
      await("after the ServiceAccess is removed", () -> status(outbound, "GET", "/orders/1"), 403);
    }
  }
}
