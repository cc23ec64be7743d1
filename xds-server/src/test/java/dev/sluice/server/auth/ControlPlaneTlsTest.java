package dev.sluice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.mesh.CertificateAuthority;
import dev.sluice.server.mesh.WorkloadCertificate;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate the control plane's gRPC ports serve, and how it changes under a running server.
 */
class ControlPlaneTlsTest {
  @TempDir Path dir;

  @Test
  void userSuppliedFilesAreServedAndAReplacedPairReachesNewConnectionsWithoutARestart()
      throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.loadOrCreate(
            dir.resolve("ca"), ControlPlaneTls.TRUST_DOMAIN, Clock.systemUTC());
    Path cert = dir.resolve("server.pem");
    Path key = dir.resolve("server-key.pem");
    WorkloadCertificate first =
        write(ca.issueServer(List.of("localhost"), Duration.ofDays(1)), cert, key);
    try (ControlPlaneTls tls =
            ControlPlaneTls.start(ControlPlaneTls.Options.files(cert, key), Clock.systemUTC());
        Running server = new Running(tls)) {
      assertThat(server.servedSerial(ca)).isEqualTo(first.serial());
      WorkloadCertificate second =
          write(ca.issueServer(List.of("localhost"), Duration.ofDays(1)), cert, key);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> server.servedSerial(ca).equals(second.serial()));
    }
  }

  @Test
  void theBuiltInCaRenewsItsServerCertificateAtTwoThirdsOfItsLifetime() throws Exception {
    ControlPlaneTls.Options options =
        ControlPlaneTls.Options.builtIn(dir.resolve("xds"), ControlPlaneTls.Options.defaultNames())
            .withServerCertTtl(Duration.ofSeconds(3));
    try (ControlPlaneTls tls = ControlPlaneTls.start(options, Clock.systemUTC());
        Running server = new Running(tls)) {
      CertificateAuthority ca =
          CertificateAuthority.loadOrCreate(
              dir.resolve("xds"), ControlPlaneTls.TRUST_DOMAIN, Clock.systemUTC());
      BigInteger first = server.servedSerial(ca);
      await().atMost(Duration.ofSeconds(30)).until(() -> !server.servedSerial(ca).equals(first));
      assertThat(tls.caFile()).contains(dir.resolve("xds").resolve("ca.pem"));
    }
  }

  @Test
  void aCertificateWrittenWithoutItsKeyIsRefusedAndThePreviousPairKeepsServing() throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.loadOrCreate(
            dir.resolve("ca"), ControlPlaneTls.TRUST_DOMAIN, Clock.systemUTC());
    Path cert = dir.resolve("server.pem");
    Path key = dir.resolve("server-key.pem");
    WorkloadCertificate first =
        write(ca.issueServer(List.of("localhost"), Duration.ofDays(1)), cert, key);
    try (ControlPlaneTls tls =
            ControlPlaneTls.start(ControlPlaneTls.Options.files(cert, key), Clock.systemUTC());
        Running server = new Running(tls)) {
      WorkloadCertificate second = ca.issueServer(List.of("localhost"), Duration.ofDays(1));
      Files.writeString(cert, second.certificatePem());
      await().atMost(Duration.ofSeconds(30)).until(() -> tls.reloadFailures() > 0);
      assertThat(server.servedSerial(ca)).isEqualTo(first.serial());
      Files.writeString(key, second.privateKeyPem());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> server.servedSerial(ca).equals(second.serial()));
    }
  }

  @Test
  void aKeyFileInSec1FormIsServed() throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.loadOrCreate(
            dir.resolve("ca"), ControlPlaneTls.TRUST_DOMAIN, Clock.systemUTC());
    Path cert = dir.resolve("server.pem");
    Path key = dir.resolve("server-key.pem");
    WorkloadCertificate issued =
        write(ca.issueServer(List.of("localhost"), Duration.ofDays(1)), cert, key);
    // the same key as `openssl ec` writes it: BEGIN EC PRIVATE KEY (SEC1), with its curve
    String base64 =
        issued.privateKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(Base64.getDecoder().decode(base64));
    BigInteger secret = ECPrivateKey.getInstance(pkcs8.parsePrivateKey()).getKey();
    var sec1 = new ECPrivateKey(256, secret, pkcs8.getPrivateKeyAlgorithm().getParameters());
    try (PemWriter w = new PemWriter(Files.newBufferedWriter(key))) {
      w.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }
    try (ControlPlaneTls tls =
            ControlPlaneTls.start(ControlPlaneTls.Options.files(cert, key), Clock.systemUTC());
        Running server = new Running(tls)) {
      assertThat(server.servedSerial(ca)).isEqualTo(issued.serial());
    }
  }

  @Test
  void aMissingKeyFileIsRefusedNamingTheFile() {
    Path missing = dir.resolve("nothing-here.pem");
    assertThatThrownBy(
            () ->
                ControlPlaneTls.start(
                    ControlPlaneTls.Options.files(missing, missing), Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nothing-here.pem");
  }

  /** Writes the key first, then the certificate, each atomically, as a rotating tool should. */
  private static WorkloadCertificate write(WorkloadCertificate c, Path cert, Path key)
      throws Exception {
    Path tmp = Files.createTempFile(cert.getParent(), ".key", ".tmp");
    Files.writeString(tmp, c.privateKeyPem());
    Files.move(tmp, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    tmp = Files.createTempFile(cert.getParent(), ".cert", ".tmp");
    Files.writeString(tmp, c.certificatePem());
    Files.move(tmp, cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return c;
  }

  /** A gRPC server with no service: the TLS handshake is all these tests need. */
  private static final class Running implements AutoCloseable {
    private final Server server;

    Running(ControlPlaneTls tls) throws Exception {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), tls.credentials())
              .build()
              .start();
    }

    /**
     * The serial of the certificate a new connection is served, verified against the CA and the
     * name localhost.
     */
    BigInteger servedSerial(CertificateAuthority ca) throws Exception {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      try (SSLSocket socket =
          (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.getPort())) {
        SSLParameters p = socket.getSSLParameters();
        p.setApplicationProtocols(new String[] {"h2"});
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setServerNames(List.of(new SNIHostName("localhost")));
        socket.setSSLParameters(p);
        socket.startHandshake();
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
      }
    }

    @Override
    public void close() {
      server.shutdownNow();
    }
  }
}
