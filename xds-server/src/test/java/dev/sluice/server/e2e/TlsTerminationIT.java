package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.TestCertificates;
import dev.sluice.testing.TestCertificates.Ca;
import dev.sluice.testing.TestCertificates.Issued;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TLS termination at the edge through a real Envoy: HTTPS with the certificate from the policy's
 * files, a rotation reaching new connections without a restart (over SDS), TLS 1.0 and 1.1 refused
 * by the server, client certificates when {@code clientCa} is set, and the private key in no log,
 * status page or config dump.
 */
class TlsTerminationIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private final Ca serverCa = TestCertificates.ca("Sluice IT server CA");

  /**
   * What one HTTPS exchange gave: the status and upstream ("200 users"), or why it failed; and the
   * certificate served.
   */
  record Answer(String result, X509Certificate served) {
    BigInteger serial() {
      return served == null ? null : served.getSerialNumber();
    }
  }

  private static String gateway(int port, String tls) {
    return "kind: Gateway\nname: edge\nport: " + port + "\ntls: " + tls + "\n";
  }

  private static SluiceFixture sluice(HttpUpstream users) {
    SluiceFixture sluice = new SluiceFixture();
    sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
    sluice.writePolicy("routes.yaml", "kind: Route\nname: users\nto: users\n");
    return sluice;
  }

  private static void writeCertificate(SluiceFixture sluice, Path cert, Path key, Issued issued)
      throws IOException {
    Files.createDirectories(cert.getParent());
    sluice.write(cert, issued.certificatePem());
    sluice.write(key, issued.keyPem());
  }

  /** One request on a new connection (a new SSLContext each time, so no TLS session is resumed). */
  private static Answer https(int port, SSLContext context) {
    try (SSLSocket s = open(port, context)) {
      X509Certificate served = (X509Certificate) s.getSession().getPeerCertificates()[0];
      try {
        return new Answer(exchange(s, "/", true), served);
      } catch (IOException e) {
        return new Answer("failed after the handshake: " + e, served);
      }
    } catch (IOException e) {
      return new Answer("failed: " + e, null);
    }
  }

  /**
   * The first answer after Envoy is ready. Retried for a few seconds: Envoy reports ready once its
   * listeners exist, and a handshake in the first moments can still fail (seen once in the suite).
   */
  private static Answer firstAnswer(int port, SSLContext context) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Answer a = https(port, context);
    while (a.served() == null && System.nanoTime() < deadline) {
      Thread.sleep(100);
      a = https(port, context);
    }
    return a;
  }

  private static SSLSocket open(int port, SSLContext context) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(5000);
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(List.of(new SNIHostName("localhost")));
    p.setApplicationProtocols(new String[] {"http/1.1"});
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  /** Sends a GET on an open connection and reads the whole response: "status upstream". */
  private static String exchange(SSLSocket s, String path, boolean close) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: localhost\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    String status = line(in);
    if (status == null) {
      throw new IOException("connection closed before a response");
    }
    String upstream = "";
    int length = 0;
    String h;
    while ((h = line(in)) != null && !h.isEmpty()) {
      String lower = h.toLowerCase();
      if (lower.startsWith("x-upstream:")) {
        upstream = h.substring("x-upstream:".length()).trim();
      } else if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(h.substring("content-length:".length()).trim());
      }
    }
    in.readNBytes(length);
    return status.split(" ")[1] + (upstream.isEmpty() ? "" : " " + upstream);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void httpsServesTheGivenCertificateAndARotationReachesNewConnectionsWithoutARestart()
      throws Exception {
    Issued first = serverCa.server("edge-first");
    Issued second = serverCa.server("edge-second");
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = sluice(users)) {
      Path cert = sluice.policies.resolve("certs/edge.pem");
      Path key = sluice.policies.resolve("certs/edge-key.pem");
      writeCertificate(sluice, cert, key, first);
      sluice.writePolicy(
          "gateway.yaml",
          gateway(sluice.gatewayPort, "{certificate: certs/edge.pem, key: certs/edge-key.pem}"));
      sluice.start();
      EnvoyProcess envoy = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      Answer a =
          firstAnswer(sluice.gatewayPort, TestCertificates.clientContext(serverCa.certificate()));
      assertThat(a.result()).isEqualTo("200 users");
      assertThat(a.serial()).isEqualTo(first.certificate().getSerialNumber());
      assertThat(a.served().getSubjectX500Principal().getName()).isEqualTo("CN=edge-first");
      assertThat(sluice.answer("/"))
          .as("plain HTTP on the TLS port")
          .startsWith("connection failed");

      long pid = envoy.pid();
      long listenerChanges = envoy.stat("listener_manager.listener_modified").orElse(0);
      long listenersAdded = envoy.stat("listener_manager.listener_added").orElseThrow();
      try (SSLSocket open =
          open(sluice.gatewayPort, TestCertificates.clientContext(serverCa.certificate()))) {
        assertThat(exchange(open, "/", false)).isEqualTo("200 users");

        writeCertificate(sluice, cert, key, second);
        await()
            .atMost(Duration.ofSeconds(15))
            .pollInterval(Duration.ofMillis(200))
            .untilAsserted(
                () ->
                    assertThat(
                            https(
                                    sluice.gatewayPort,
                                    TestCertificates.clientContext(serverCa.certificate()))
                                .serial())
                        .isEqualTo(second.certificate().getSerialNumber()));

        // a connection opened before the rotation goes on: the listener was not replaced or drained
        assertThat(exchange(open, "/", true)).isEqualTo("200 users");
      }
      Answer b = https(sluice.gatewayPort, TestCertificates.clientContext(serverCa.certificate()));
      assertThat(b.result()).isEqualTo("200 users");
      assertThat(b.served().getSubjectX500Principal().getName()).isEqualTo("CN=edge-second");
      assertThat(envoy.pid()).isEqualTo(pid);
      assertThat(envoy.isAlive()).isTrue();
      assertThat(envoy.stat("listener_manager.listener_modified").orElse(0))
          .as("listener updates")
          .isEqualTo(listenerChanges);
      assertThat(envoy.stat("listener_manager.listener_added").orElseThrow())
          .isEqualTo(listenersAdded);
      assertThat(envoy.stat("sds.http-" + sluice.gatewayPort + "-cert.update_success").orElse(0))
          .isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void filesOutsideThePolicyFolderAreWatchedAHalfRotationIsRejectedAndTheKeyAppearsNowhere()
      throws Exception {
    Issued first = serverCa.server("edge-first");
    Issued second = serverCa.server("edge-second");
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    // slf4j-simple writes to whatever System.err is at the time of each log call
    System.setErr(new PrintStream(new TeeStream(stderr, captured), true, StandardCharsets.UTF_8));
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = sluice(users)) {
      Path cert = sluice.dir.resolve("tls/edge.pem");
      Path key = sluice.dir.resolve("tls/edge-key.pem");
      writeCertificate(sluice, cert, key, first);
      sluice.writePolicy(
          "gateway.yaml",
          gateway(sluice.gatewayPort, "{certificate: ../tls/edge.pem, key: ../tls/edge-key.pem}"));
      sluice.start();
      EnvoyProcess envoy = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      assertThat(
              firstAnswer(
                      sluice.gatewayPort, TestCertificates.clientContext(serverCa.certificate()))
                  .serial())
          .isEqualTo(first.certificate().getSerialNumber());

      // the certificate alone: it does not match the key, so the change is rejected and the old
      // pair keeps serving
      sluice.write(cert, second.certificatePem());
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(sluice.status().path("policyFindings").toString())
                      .contains("is not the private key of the certificate in " + cert));
      Answer during =
          https(sluice.gatewayPort, TestCertificates.clientContext(serverCa.certificate()));
      assertThat(during.result()).isEqualTo("200 users");
      assertThat(during.serial()).isEqualTo(first.certificate().getSerialNumber());

      sluice.write(key, second.keyPem());
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () ->
                  assertThat(
                          https(
                                  sluice.gatewayPort,
                                  TestCertificates.clientContext(serverCa.certificate()))
                              .serial())
                      .isEqualTo(second.certificate().getSerialNumber()));

      String configDump = envoy.admin("/config_dump?include_eds").body();
      String status = sluice.status().toString();
      String envoyLog = envoy.log();
      String sluiceLog = captured.toString(StandardCharsets.UTF_8);
      // the checks below must be able to see a secret: the dump has the secret with its certificate
      assertThat(configDump)
          .contains("dynamic_active_secrets")
          .contains("http-" + sluice.gatewayPort + "-cert")
          .contains(base64Lines(second.certificatePem()).get(1))
          .contains("[redacted]");
      assertThat(sluiceLog)
          .contains("policy change rejected")
          .contains("is not the private key of the certificate");
      for (Issued issued : List.of(first, second)) {
        for (String secretLine : base64Lines(issued.keyPem())) {
          assertThat(configDump).as("Envoy's config_dump").doesNotContain(secretLine);
          assertThat(envoyLog).as("Envoy's log").doesNotContain(secretLine);
          assertThat(status).as("Sluice's /status").doesNotContain(secretLine);
          assertThat(sluiceLog).as("Sluice's log").doesNotContain(secretLine);
        }
      }
      assertThat(configDump + envoyLog + status + sluiceLog).doesNotContain("PRIVATE KEY-----");
    } finally {
      System.setErr(stderr);
    }
  }

  @Test
  void tls10And11HandshakesAreRefusedByTheServer() throws Exception {
    Issued edge = serverCa.server("edge");
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = sluice(users)) {
      writeCertificate(
          sluice,
          sluice.policies.resolve("certs/edge.pem"),
          sluice.policies.resolve("certs/edge-key.pem"),
          edge);
      sluice.writePolicy(
          "gateway.yaml",
          gateway(sluice.gatewayPort, "{certificate: certs/edge.pem, key: certs/edge-key.pem}"));
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      assertThat(
              firstAnswer(
                      sluice.gatewayPort, TestCertificates.clientContext(serverCa.certificate()))
                  .served())
          .isNotNull();

      for (String old : List.of("-tls1", "-tls1_1")) {
        assertThat(OpenSsl.handshake(sluice.gatewayPort, old))
            .as("openssl s_client %s", old)
            .isEqualTo(OpenSsl.REFUSED_VERSION);
      }
      assertThat(OpenSsl.handshake(sluice.gatewayPort, "-tls1_2")).isEqualTo("TLSv1.2");
      assertThat(OpenSsl.handshake(sluice.gatewayPort, "-tls1_3")).isEqualTo("TLSv1.3");

      sluice.writePolicy(
          "gateway.yaml",
          gateway(
              sluice.gatewayPort,
              "{certificate: certs/edge.pem, key: certs/edge-key.pem, minVersion: \"1.3\"}"));
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () ->
                  assertThat(OpenSsl.handshake(sluice.gatewayPort, "-tls1_2"))
                      .isEqualTo(OpenSsl.REFUSED_VERSION));
      assertThat(OpenSsl.handshake(sluice.gatewayPort, "-tls1_3")).isEqualTo("TLSv1.3");
    }
  }

  /**
   * The control for the test above: the same openssl command gets through when the listener is made
   * to accept TLS 1.0 behind Sluice's back, so the refusal there is the server's, not a client that
   * could not offer TLS 1.1.
   */
  @Test
  void theSameOldClientGetsThroughWhenTheListenerAllowsIt() throws Exception {
    Issued edge = serverCa.server("edge");
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = sluice(users).hook(TlsTerminationIT::allowTls10)) {
      writeCertificate(
          sluice,
          sluice.policies.resolve("certs/edge.pem"),
          sluice.policies.resolve("certs/edge-key.pem"),
          edge);
      sluice.writePolicy(
          "gateway.yaml",
          gateway(sluice.gatewayPort, "{certificate: certs/edge.pem, key: certs/edge-key.pem}"));
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      assertThat(
              firstAnswer(
                      sluice.gatewayPort, TestCertificates.clientContext(serverCa.certificate()))
                  .served())
          .isNotNull();

      assertThat(OpenSsl.handshake(sluice.gatewayPort, "-tls1_1")).isEqualTo("TLSv1.1");
    }
  }

  /** Lowers every TLS listener's minimum to 1.0 and adds the CBC suites TLS 1.0/1.1 need. */
  private static XdsResources allowTls10(XdsResources r) {
    List<Listener> listeners = new ArrayList<>();
    for (Listener l : r.listeners()) {
      Listener.Builder b = l.toBuilder();
      for (FilterChain.Builder fc : b.getFilterChainsBuilderList()) {
        if (!fc.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)) {
          continue;
        }
        try {
          DownstreamTlsContext.Builder tls =
              fc
                  .getTransportSocket()
                  .getTypedConfig()
                  .unpack(DownstreamTlsContext.class)
                  .toBuilder();
          tls.getCommonTlsContextBuilder()
              .getTlsParamsBuilder()
              .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_0)
              .addAllCipherSuites(
                  List.of(
                      "ECDHE-ECDSA-AES128-GCM-SHA256",
                      "ECDHE-ECDSA-AES128-SHA",
                      "ECDHE-ECDSA-AES256-SHA"));
          fc.getTransportSocketBuilder().setTypedConfig(Any.pack(tls.build()));
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
      listeners.add(b.build());
    }
    return r.withListeners(listeners);
  }

  @Test
  void withClientCaAClientWithoutACertificateSignedByItIsRefused() throws Exception {
    Ca clientCa = TestCertificates.ca("Sluice IT client CA");
    // an impostor: a CA with the same name as the trusted one but another key, so the client sends
    // its certificate (Java's client offers only certificates from the CAs the server names)
    Ca impostor = TestCertificates.ca("Sluice IT client CA");
    Issued edge = serverCa.server("edge");
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = sluice(users)) {
      writeCertificate(
          sluice,
          sluice.policies.resolve("certs/edge.pem"),
          sluice.policies.resolve("certs/edge-key.pem"),
          edge);
      sluice.write(sluice.policies.resolve("certs/clients-ca.pem"), clientCa.certificatePem());
      sluice.writePolicy(
          "gateway.yaml",
          gateway(
              sluice.gatewayPort,
              "{certificate: certs/edge.pem, key: certs/edge-key.pem, clientCa: certs/clients-ca.pem}"));
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      Answer trusted =
          firstAnswer(
              sluice.gatewayPort,
              clientCa.client("client-1").clientContext(serverCa.certificate()));
      assertThat(trusted.result()).isEqualTo("200 users");

      Answer none =
          https(sluice.gatewayPort, TestCertificates.clientContext(serverCa.certificate()));
      assertThat(none.result())
          .as("no client certificate")
          .startsWith("failed")
          .contains("certificate_required");
      Answer forged =
          https(
              sluice.gatewayPort,
              impostor.client("client-2").clientContext(serverCa.certificate()));
      assertThat(forged.result())
          .as("a certificate the CA did not sign")
          .startsWith("failed")
          .contains("Received fatal alert")
          .doesNotContain("certificate_required");
      assertThat(users.requests()).as("only the trusted client got through").isEqualTo(1);
    }
  }

  /** {@code openssl s_client}: a client that can still offer TLS 1.0 and 1.1 (security level 0). */
  static final class OpenSsl {
    /** What {@link #handshake} returns when the server answered with a protocol_version alert. */
    static final String REFUSED_VERSION = "refused: protocol version alert";

    /**
     * Runs one handshake with a version flag such as {@code -tls1_1}; returns the negotiated
     * protocol, {@link #REFUSED_VERSION}, or openssl's output when something else happened.
     */
    static String handshake(int port, String versionFlag) throws Exception {
      Process p;
      try {
        p =
            new ProcessBuilder(
                    "openssl",
                    "s_client",
                    "-connect",
                    "127.0.0.1:" + port,
                    "-servername",
                    "localhost",
                    versionFlag,
                    "-cipher",
                    "DEFAULT:@SECLEVEL=0",
                    "-brief")
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
      } catch (IOException e) {
        throw new AssertionError(
            "this test needs the openssl command line tool (Debian/Ubuntu: apt-get install openssl)",
            e);
      }
      String out;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        out = String.join("\n", r.lines().toList());
      }
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("openssl s_client did not finish: " + out);
      }
      // the alert comes from the server: "tlsv1 alert protocol version ... SSL alert number 70"
      if (out.contains("alert protocol version")) {
        return REFUSED_VERSION;
      }
      for (String line : out.lines().toList()) {
        if (line.startsWith("Protocol version:")) {
          return line.substring("Protocol version:".length()).trim();
        }
      }
      return out;
    }
  }

  /** Writes to two streams. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }

  private static List<String> base64Lines(String pem) {
    return pem.lines().filter(l -> !l.startsWith("-----") && l.length() > 20).toList();
  }
}
