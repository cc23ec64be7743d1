package dev.sluice.policy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.ir.Compiler;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.testing.RepoPaths;
import dev.sluice.xds.Translator;
import dev.sluice.xds.XdsResources;
import dev.sluice.xds.XdsYaml;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the golden cases cannot show: that no message, printout or golden file ever holds a private
 * key, that every key form Envoy takes is read, and which files a load depends on.
 */
class TlsTest {
  private static final Path GOLDEN =
      RepoPaths.root().resolve("policy-engine/src/test/resources/golden");

  @TempDir Path dir;

  private static String pem(Object o) throws Exception {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }

  private static KeyPair keys(String algorithm, int size) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    g.initialize(size);
    return g.generateKeyPair();
  }

  private static X509CertificateHolder selfSigned(KeyPair keys, String cn, Instant notAfter)
      throws Exception {
    X500Name name = new X500Name("CN=" + cn);
    String alg =
        keys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    Instant notBefore =
        notAfter.isBefore(Instant.now())
            ? notAfter.minus(1, ChronoUnit.DAYS)
            : Instant.now().minus(1, ChronoUnit.DAYS);
    return new JcaX509v3CertificateBuilder(
            name, BigInteger.ONE, Date.from(notBefore), Date.from(notAfter), name, keys.getPublic())
        .build(new JcaContentSignerBuilder(alg).build(keys.getPrivate()));
  }

  private PolicyLoader.Result load(String tls) throws Exception {
    Files.writeString(
        dir.resolve("gateway.yaml"), "kind: Gateway\nname: edge\nport: 8443\ntls: " + tls + "\n");
    return PolicyLoader.load(dir);
  }

  /** The base64 lines of the PEM blocks of a key file: what must never be printed. */
  private static List<String> keyLines(String keyPem) {
    return keyPem.lines().filter(l -> !l.startsWith("-----") && l.length() > 20).toList();
  }

  @Test
  void rsaKeysInPkcs1FormAreReadAndReEncodedAsPkcs8() throws Exception {
    KeyPair rsa = keys("RSA", 2048);
    String keyPem = pem(rsa.getPrivate());
    assertThat(keyPem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    Files.writeString(
        dir.resolve("edge.pem"),
        pem(selfSigned(rsa, "edge", Instant.now().plus(30, ChronoUnit.DAYS))));
    Files.writeString(dir.resolve("edge-key.pem"), keyPem);

    PolicyLoader.Result r = load("{certificate: edge.pem, key: edge-key.pem}");

    assertThat(r.findings()).isEmpty();
    TlsSpec tls = r.policies().orElseThrow().gateways().get(0).listen().tls().orElseThrow();
    assertThat(tls.key().pem()).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(tls.minVersion()).isEqualTo(TlsSpec.Version.TLS_1_2);
    assertThat(tls.clientCa()).isEmpty();
  }

  @Test
  void aKeyThatCannotBeReadIsReportedWithoutQuotingIt() throws Exception {
    Files.writeString(
        dir.resolve("edge.pem"), Files.readString(GOLDEN.resolve("gateway-tls/certs/edge.pem")));
    String marker = "TOPSECRETKEYMATERIAL";
    Files.writeString(
        dir.resolve("edge-key.pem"),
        "-----BEGIN PRIVATE KEY-----\n"
            + marker
            + "0123456789abcdef\n"
            + Base64.getEncoder().encodeToString(marker.getBytes())
            + "\n-----END PRIVATE KEY-----\n");

    PolicyLoader.Result r = load("{certificate: edge.pem, key: edge-key.pem}");

    assertThat(r.findings())
        .extracting(Finding::format)
        .containsExactly(
            "error: "
                + dir.resolve("gateway.yaml")
                + ":4:35: Gateway/edge field tls.key: "
                + dir.resolve("edge-key.pem")
                + ": the private key cannot be read (expected unencrypted PKCS#8, PKCS#1 or SEC1 PEM)");
    assertThat(r.findings().toString())
        .doesNotContain(marker)
        .doesNotContain(Base64.getEncoder().encodeToString(marker.getBytes()));
  }

  @Test
  void encryptedKeysAreRefused() throws Exception {
    Files.writeString(
        dir.resolve("edge.pem"), Files.readString(GOLDEN.resolve("gateway-tls/certs/edge.pem")));
    Files.writeString(
        dir.resolve("edge-key.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThat(load("{certificate: edge.pem, key: edge-key.pem}").findings())
        .extracting(Finding::message)
        .containsExactly(
            dir.resolve("edge-key.pem")
                + " holds an encrypted private key, which Envoy cannot use:"
                + " decrypt it (openssl pkey -in <file> -out <file>) and protect the file instead");
  }

  @Test
  void anExpiredCertificateIsOnlyAWarning() throws Exception {
    KeyPair ec = keys("EC", 256);
    Files.writeString(
        dir.resolve("edge.pem"),
        pem(selfSigned(ec, "edge", Instant.parse("2020-01-02T00:00:00Z"))));
    // PKCS#8: JcaPEMWriter would write the JDK's EC key as SEC1 without its curve, which nothing
    // reads
    Files.writeString(
        dir.resolve("edge-key.pem"), pem(new JcaPKCS8Generator(ec.getPrivate(), null)));

    PolicyLoader.Result r = load("{certificate: edge.pem, key: edge-key.pem}");

    assertThat(r.policies()).as("%s", r.findings()).isPresent();
    assertThat(r.findings())
        .extracting(Finding::format)
        .containsExactly(
            "warning: "
                + dir.resolve("gateway.yaml")
                + ":4:20: Gateway/edge field tls.certificate: "
                + dir.resolve("edge.pem")
                + ": the certificate expired at 2020-01-02T00:00:00Z; clients will refuse it");
  }

  @Test
  void theFilesAreReferencedEvenWhenTheyAreMissing() throws Exception {
    PolicyLoader.Result r =
        load("{certificate: ../elsewhere/edge.pem, key: edge-key.pem, clientCa: ca.pem}");

    assertThat(r.hasErrors()).isTrue();
    assertThat(r.referencedFiles())
        .containsExactlyInAnyOrder(
            dir.getParent().resolve("elsewhere/edge.pem"),
            dir.resolve("edge-key.pem"),
            dir.resolve("ca.pem"));
  }

  @Test
  void noPrintoutOfPoliciesOrGoldenFileHoldsTheKey() throws Exception {
    Path tlsCase = GOLDEN.resolve("gateway-tls");
    List<String> secret =
        Stream.of("edge-key.pem", "edge-key-sec1.pem")
            .flatMap(f -> keyLines(read(tlsCase.resolve("certs").resolve(f))).stream())
            .toList();
    List<YamlDocument> docs =
        YamlFiles.read(tlsCase.resolve("in.yaml")).stream()
            .filter(d -> !d.root().has("services"))
            .toList();
    PolicySet set = PolicyLoader.fromDocuments(docs, new Diagnostics()).policies().orElseThrow();
    TlsSpec tls = set.gateways().get(0).listen().tls().orElseThrow();
    List<String> canonical = keyLines(tls.key().pem());
    assertThat(secret).hasSizeGreaterThan(2);
    assertThat(canonical).isNotEmpty();

    XdsResources xds =
        Translator.translate(Compiler.compile(ServiceCatalog.EMPTY, set).get("edge"));
    assertThat(xds.secrets().get(0).getTlsCertificate().getPrivateKey().getInlineString())
        .isEqualTo(tls.key().pem());
    String printed =
        String.join(
            "\n",
            set.toString(),
            tls.toString(),
            tls.key().toString(),
            XdsYaml.of(xds.secrets()),
            XdsYaml.of(xds.listeners()));
    String golden;
    try (Stream<Path> out = Files.walk(tlsCase.resolve("out"))) {
      golden = String.join("\n", out.filter(Files::isRegularFile).map(TlsTest::read).toList());
    }
    for (String line : Stream.concat(secret.stream(), canonical.stream()).toList()) {
      assertThat(printed).doesNotContain(line);
      assertThat(golden).doesNotContain(line);
    }
    assertThat(XdsYaml.of(xds.secrets()))
        .contains("private_key: <redacted sha256:" + tls.key().fingerprint() + ">");
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
