package dev.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client's secure path, as the benchmark runs it against {@code sluice serve --xds-tls-dir
 * --proxy-tokens}: over TLS verified against a CA file for the name {@code localhost} (while it
 * connects to 127.0.0.1), with {@code authorization: Bearer <token>} on every stream. The server is
 * java-control-plane's, as in {@link FanoutSmokeTest}, behind TLS with a certificate from a CA made
 * here and an interceptor that admits a stream only with the token, as Sluice's does.
 */
class FanoutTlsSmokeTest {
  private static final String TOKEN = "pt_loadtest-0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;
  private SimpleCache<String> cache;
  private Server server;
  private final TokenCheck tokens = new TokenCheck();
  private Path ca;
  private Path tokenFile;

  @BeforeEach
  void start() throws Exception {
    KeyPair caKeys = ecKeys();
    X509Certificate caCert = caCertificate(caKeys);
    KeyPair serverKeys = ecKeys();
    X509Certificate serverCert = serverCertificate(caCert, caKeys.getPrivate(), serverKeys);
    ca = Files.writeString(dir.resolve("ca.pem"), pem(caCert));
    tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    cache = new SimpleCache<>(node -> "edge");
    cache.setSnapshot("edge", FanoutSmokeTest.snapshot("v1", 9001));
    ServerCredentials tls =
        TlsServerCredentials.newBuilder()
            .keyManager(
                new ByteArrayInputStream(pem(serverCert).getBytes(StandardCharsets.US_ASCII)),
                new ByteArrayInputStream(
                    pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null))
                        .getBytes(StandardCharsets.US_ASCII)))
            .build();
    server =
        NettyServerBuilder.forPort(0, tls)
            .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl())
            .intercept(tokens)
            .build()
            .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination();
  }

  @ParameterizedTest
  @EnumSource(Options.Protocol.class)
  void overTlsWithATokenEveryStreamGetsItsConfigAndTheChange(Options.Protocol protocol)
      throws Exception {
    Options.Change change = new Options.Change("svc-1", "127.0.0.1:9999", null, null);
    Options options =
        Options.parse(
            "--target",
            "127.0.0.1:" + server.getPort(),
            "--streams",
            "7",
            "--protocol",
            protocol.name(),
            "--streams-per-channel",
            "3",
            "--warmup-streams",
            "2",
            "--tls-ca",
            ca.toString(),
            "--token-file",
            tokenFile.toString());
    assertThat(options.security().serverName()).isEqualTo("localhost");
    try (Fanout fanout = new Fanout(options).open()) {
      Fanout.Phase initial = fanout.awaitInitial();
      assertThat(initial.failures()).isEmpty();
      assertThat(initial.ok()).isEqualTo(7);
      Fanout.Phase connections = fanout.connections();
      assertThat(connections.streams())
          .as("the measured streams' connections: all but the warm-up's")
          .isEqualTo(2);
      assertThat(connections.ok()).isEqualTo(2);
      assertThat(tokens.admitted.get())
          .as("every stream, warm-up included, carried the token")
          .isEqualTo(9);
      assertThat(tokens.refused.get()).isZero();

      Fanout.Phase changed =
          fanout.change(
              0, change, () -> cache.setSnapshot("edge", FanoutSmokeTest.snapshot("v2", 9999)));
      assertThat(changed.ok()).isEqualTo(7);
    }
  }

  @Test
  void withAnotherTokenEveryStreamIsRefusedAndTheRefusalIsReported() throws Exception {
    Path other = Files.writeString(dir.resolve("other"), "pt_not-the-token");
    try (Fanout fanout = new Fanout(secure(ca, other)).open()) {
      Fanout.Phase initial = fanout.awaitInitial();
      assertThat(initial.ok()).isZero();
      assertThat(initial.failures()).containsOnlyKeys("PERMISSION_DENIED: unknown token");
      Fanout.Failures refused = initial.failures().get("PERMISSION_DENIED: unknown token");
      assertThat(refused.streams()).isEqualTo(3);
      assertThat(refused.connections()).isEqualTo(1);
      assertThat(refused.format()).startsWith("3 streams on 1 connection, ");
      assertThat(fanout.connections().ok())
          .as("TLS itself succeeded")
          .isEqualTo(fanout.connections().streams());
    }
    assertThat(tokens.refused.get()).isEqualTo(3);
  }

  @Test
  void aServerCertificateFromAnotherCaFailsTheHandshake() throws Exception {
    KeyPair otherKeys = ecKeys();
    Path otherCa = Files.writeString(dir.resolve("other-ca.pem"), pem(caCertificate(otherKeys)));
    try (Fanout fanout = new Fanout(secure(otherCa, tokenFile)).open()) {
      Fanout.Phase initial = fanout.awaitInitial();
      assertThat(initial.ok()).isZero();
      assertThat(initial.failures().keySet())
          .singleElement()
          .asString()
          .startsWith("UNAVAILABLE")
          .contains("certification path");
      assertThat(fanout.connections().ok()).isZero();
    }
    assertThat(tokens.admitted.get() + tokens.refused.get())
        .as("no stream reached the server")
        .isZero();
  }

  @Test
  void aFileThatHoldsNoTokenOrNoCertificateIsNamedAndTheTokenNeverShown() throws IOException {
    Path twoLines = Files.writeString(dir.resolve("two-lines"), TOKEN + "\nsha256:abc\n");
    assertThatThrownBy(() -> Credentials.of(new Options.Security(ca, "localhost", twoLines)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(twoLines.toString())
        .hasMessageNotContaining(TOKEN);
    assertThatThrownBy(() -> Credentials.of(new Options.Security(tokenFile, "localhost", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--tls-ca " + tokenFile)
        .hasMessageNotContaining(TOKEN);
    assertThatThrownBy(
            () ->
                Options.parse(
                    "--target", "127.0.0.1:1", "--streams", "1", "--tls-server-name", "x"))
        .hasMessageStartingWith("--tls-server-name needs --tls-ca");
  }

  private Options secure(Path caFile, Path token) {
    return Options.parse(
        "--target",
        "127.0.0.1:" + server.getPort(),
        "--streams",
        "3",
        "--streams-per-channel",
        "3",
        "--warmup-streams",
        "0",
        "--initial-timeout",
        "20s",
        "--tls-ca",
        caFile.toString(),
        "--token-file",
        token.toString());
  }

  /**
   * Admits a call only with {@code authorization: Bearer <TOKEN>}, as Sluice's
   * CredentialInterceptor and ProxyTokens do.
   */
  private static final class TokenCheck implements ServerInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    final AtomicInteger admitted = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String value = headers.get(AUTHORIZATION);
      if (("Bearer " + TOKEN).equals(value)) {
        admitted.incrementAndGet();
        return next.startCall(call, headers);
      }
      refused.incrementAndGet();
      call.close(
          Status.PERMISSION_DENIED.withDescription(value == null ? "no token" : "unknown token"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate caCertificate(KeyPair keys) throws Exception {
    X500Name name = new X500Name("CN=loadtest test CA " + new BigInteger(32, RANDOM));
    JcaX509v3CertificateBuilder b = builder(name, name, keys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    return sign(b, keys.getPrivate());
  }

  /**
   * For localhost only: a client that verified the address it connects to (127.0.0.1) would fail.
   */
  private static X509Certificate serverCertificate(
      X509Certificate ca, PrivateKey caKey, KeyPair keys) throws Exception {
    JcaX509v3CertificateBuilder b =
        builder(
            new X500Name(ca.getSubjectX500Principal().getName()),
            new X500Name("CN=localhost"),
            keys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
    return sign(b, caKey);
  }

  private static JcaX509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey issuer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer)));
  }

  private static String pem(Object o) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
