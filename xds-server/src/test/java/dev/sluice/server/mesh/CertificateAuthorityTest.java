package dev.sluice.server.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.CapturedStderr;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CertificateAuthority}: a shared root per directory, SPIFFE leaves, rotation threshold. */
class CertificateAuthorityTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String DOMAIN = "mesh.example";

  @TempDir Path dir;

  @Test
  void leafVerifiesAgainstTheRootWithPkix() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    WorkloadCertificate c = ca.issue("orders", Duration.ofHours(1));

    validate(c.certificatePem(), ca.certificatePem());
    validate(c.certificatePem(), c.trustBundlePem());
  }

  @Test
  void leafCarriesTheSpiffeIdAsItsOnlySanAndTheServiceAsCommonName() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    WorkloadCertificate c = ca.issue("orders", Duration.ofHours(1));
    X509Certificate leaf = parse(c.certificatePem());

    assertThat(c.spiffeId()).isEqualTo("spiffe://mesh.example/service/orders");
    assertThat(leaf.getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://mesh.example/service/orders"));
    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=orders");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void leafHasServerAndClientAuthAndSigningKeyUsages() throws Exception {
    X509Certificate leaf =
        parse(
            CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK)
                .issue("orders", Duration.ofHours(1))
                .certificatePem());

    assertThat(leaf.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    boolean[] ku = leaf.getKeyUsage();
    assertThat(ku[0]).as("digitalSignature").isTrue();
    assertThat(ku[2]).as("keyEncipherment").isTrue();
    assertThat(ku[5]).as("keyCertSign").isFalse();
  }

  @Test
  void validityIsBackdatedAMinuteAndLastsTheTtl() throws Exception {
    WorkloadCertificate c =
        CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK).issue("orders", Duration.ofHours(1));
    X509Certificate leaf = parse(c.certificatePem());

    assertThat(c.notBefore())
        .isEqualTo(NOW.minusSeconds(60))
        .isEqualTo(leaf.getNotBefore().toInstant());
    assertThat(c.notAfter())
        .isEqualTo(NOW.plus(Duration.ofHours(1)))
        .isEqualTo(leaf.getNotAfter().toInstant());
    assertThat(c.serial()).isEqualTo(leaf.getSerialNumber());
  }

  @Test
  void serialsAreRandomAndAtMost128Bits() {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    Set<String> serials = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      WorkloadCertificate c = ca.issue("orders", Duration.ofHours(1));
      assertThat(c.serial().signum()).isPositive();
      assertThat(c.serial().bitLength()).isLessThanOrEqualTo(128);
      serials.add(c.serialHex());
    }
    assertThat(serials).hasSize(20);
  }

  @Test
  void generatedRootIsATenYearCaNamingTheTrustDomain() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    X509Certificate root = ca.certificate();

    assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(root.getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://mesh.example"));
    assertThat(root.getNotAfter().toInstant()).isEqualTo(Instant.parse("2036-03-01T12:00:00Z"));
    assertThat(root.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(dir.resolve("ca.pem")).exists();
    assertThat(dir.resolve("ca-key.pem")).exists();
  }

  @Test
  void keyFileIsReadableByItsOwnerOnly() throws Exception {
    assertThat(Files.getFileStore(dir).supportsFileAttributeView("posix"))
        .as("the temp folder has POSIX permissions (Linux)")
        .isTrue();
    CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);

    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca-key.pem"))))
        .isEqualTo("rw-------");
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")))
        .isEmpty();
  }

  @Test
  void aSuppliedRootWithAnOpenSslStyleEcKeyLoads() throws Exception {
    CertificateAuthority generated = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    // rewrite the key as SEC1 ("BEGIN EC PRIVATE KEY") with the named curve inside, as
    // `openssl ecparam -genkey` writes it (its public key part is optional and left out here)
    PrivateKeyInfo info;
    try (var parser = new PEMParser(Files.newBufferedReader(dir.resolve("ca-key.pem")))) {
      info = (PrivateKeyInfo) parser.readObject();
    }
    var inner = ECPrivateKey.getInstance(info.parsePrivateKey());
    var sec1 = new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
    var out = new StringWriter();
    try (var w = new PemWriter(out)) {
      w.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }
    assertThat(out.toString()).startsWith("-----BEGIN EC PRIVATE KEY-----");
    Files.writeString(dir.resolve("ca-key.pem"), out.toString());

    CertificateAuthority loaded = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    validate(
        loaded.issue("orders", Duration.ofHours(1)).certificatePem(), generated.certificatePem());
  }

  @Test
  void aSecondCaFromTheSameDirectorySharesTheRootAndValidatesTheFirstsLeaves() throws Exception {
    CertificateAuthority first = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    CertificateAuthority replica = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);

    assertThat(replica.certificate()).isEqualTo(first.certificate());
    validate(first.issue("orders", Duration.ofHours(1)).certificatePem(), replica.certificatePem());
    validate(
        replica.issue("payments", Duration.ofHours(1)).certificatePem(), first.certificatePem());
  }

  @Test
  void concurrentFirstStartsProduceOneRoot() throws Exception {
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<CertificateAuthority>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Callable<CertificateAuthority> start =
            () -> {
              go.await();
              return CertificateAuthority.loadOrCreate(dir.resolve("shared"), DOMAIN, CLOCK);
            };
        results.add(pool.submit(start));
      }
      go.countDown();
      Set<X509Certificate> roots = new HashSet<>();
      for (Future<CertificateAuthority> f : results) {
        roots.add(f.get().certificate());
      }
      assertThat(roots).hasSize(1);
      assertThat(parse(Files.readString(dir.resolve("shared/ca.pem"))))
          .isEqualTo(roots.iterator().next());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLeafFromAnotherTrustDomainsCaDoesNotValidate() throws Exception {
    CertificateAuthority ours =
        CertificateAuthority.loadOrCreate(dir.resolve("ours"), DOMAIN, CLOCK);
    CertificateAuthority theirs =
        CertificateAuthority.loadOrCreate(dir.resolve("theirs"), "other.example", CLOCK);
    WorkloadCertificate foreign = theirs.issue("orders", Duration.ofHours(1));

    assertThatThrownBy(() -> validate(foreign.certificatePem(), ours.certificatePem()))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void loadingADirectoryWhoseRootNamesAnotherTrustDomainIsRefused() {
    CertificateAuthority.loadOrCreate(dir, "other.example", CLOCK);

    assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK))
        .isInstanceOf(CaException.class)
        .hasMessageContaining(dir.resolve("ca.pem").toString())
        .hasMessageContaining("does not name trust domain mesh.example")
        .hasMessageContaining("spiffe://other.example");
  }

  @Test
  void rotationIsDueOnceTwoThirdsOfTheLifetimeFromIssueHavePassed() {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    // issued at NOW (notBefore backdated to NOW - 1 min), notAfter = NOW + 90 min: due at NOW + 60
    // min
    WorkloadCertificate c = ca.issue("orders", Duration.ofMinutes(90));
    Instant due = NOW.plus(Duration.ofMinutes(60));

    assertThat(CertificateAuthority.rotationTime(c)).isEqualTo(due);
    assertThat(ca.needsRotation(c, NOW)).isFalse();
    assertThat(ca.needsRotation(c, due.minusSeconds(1))).isFalse();
    assertThat(ca.needsRotation(c, due)).isTrue();
    assertThat(ca.needsRotation(c, c.notAfter().plusSeconds(1))).isTrue();
  }

  @Test
  void aCorruptedKeyFileIsAnErrorNamingTheFileWithoutQuotingTheKey() throws Exception {
    CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    Path keyFile = dir.resolve("ca-key.pem");
    String original = Files.readString(keyFile);
    List<String> body = original.lines().filter(l -> !l.startsWith("-----")).toList();
    // damage the base64 in the middle of the key, keeping the PEM armour
    String middle = body.get(1);
    String damaged =
        original.replace(middle, middle.substring(0, 10) + "!!!!" + middle.substring(14));
    Files.writeString(keyFile, damaged);

    assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK))
        .isInstanceOf(CaException.class)
        .hasMessageContaining(keyFile.toString())
        .satisfies(e -> assertNoKeyMaterial(e, original))
        .hasNoCause();
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateIsAnErrorNamingTheFileWithoutQuotingTheKey()
      throws Exception {
    CertificateAuthority.loadOrCreate(dir.resolve("a"), DOMAIN, CLOCK);
    CertificateAuthority.loadOrCreate(dir.resolve("b"), DOMAIN, CLOCK);
    String otherKey = Files.readString(dir.resolve("b/ca-key.pem"));
    Files.writeString(dir.resolve("a/ca-key.pem"), otherKey);

    assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(dir.resolve("a"), DOMAIN, CLOCK))
        .isInstanceOf(CaException.class)
        .hasMessageContaining(dir.resolve("a/ca-key.pem").toString())
        .hasMessageContaining("does not belong to the certificate")
        .satisfies(e -> assertNoKeyMaterial(e, otherKey));
  }

  @Test
  void aDirectoryWithOnlyTheCertificateIsAnErrorRatherThanANewRoot() throws Exception {
    CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    String cert = Files.readString(dir.resolve("ca.pem"));
    Files.delete(dir.resolve("ca-key.pem"));

    assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK))
        .isInstanceOf(CaException.class)
        .hasMessageContaining(dir.resolve("ca-key.pem") + ": missing");
    assertThat(Files.readString(dir.resolve("ca.pem"))).isEqualTo(cert);
  }

  @Test
  void anInvalidServiceNameIsRefused() {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);

    for (String bad :
        List.of("Orders", "orders/admin", "-orders", "orders-", "", "a b", "x".repeat(64))) {
      assertThatThrownBy(() -> ca.issue(bad, Duration.ofHours(1)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not a valid service name");
    }
    assertThat(ca.issue("orders.v2_internal-1", Duration.ofHours(1)).spiffeId())
        .isEqualTo("spiffe://mesh.example/service/orders.v2_internal-1");
  }

  @Test
  void anInvalidTrustDomainIsRefused() {
    assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(dir, "Mesh/Example", CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid trust domain");
  }

  @Test
  void toStringNeverIncludesThePrivateKey() {
    WorkloadCertificate c =
        CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK).issue("orders", Duration.ofHours(1));

    assertThat(c.toString())
        .contains("spiffe://mesh.example/service/orders", c.serialHex())
        .doesNotContain("PRIVATE KEY");
    assertNoKeyMaterial(new RuntimeException(c.toString()), c.privateKeyPem());
    assertThat(c.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  // ---- stored leaves (issueOrReuse) ----

  @Test
  void aReplicaAndARestartReuseTheStoredLeafByteForByte() throws Exception {
    WorkloadCertificate first =
        CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK)
            .issueOrReuse("orders", Duration.ofHours(1));
    WorkloadCertificate replica =
        CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK)
            .issueOrReuse("orders", Duration.ofHours(1));

    assertThat(replica.serial()).isEqualTo(first.serial());
    assertThat(replica.certificatePem()).isEqualTo(first.certificatePem());
    assertThat(replica.privateKeyPem()).isEqualTo(first.privateKeyPem());
    assertThat(replica).isEqualTo(first);
    assertThat(Files.readString(dir.resolve("issued/orders.pem")))
        .isEqualTo(first.certificatePem() + first.privateKeyPem());
    validate(replica.certificatePem(), replica.trustBundlePem());
  }

  @Test
  void eachServiceHasItsOwnStoredLeaf() {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    WorkloadCertificate orders = ca.issueOrReuse("orders", Duration.ofHours(1));
    WorkloadCertificate payments = ca.issueOrReuse("payments", Duration.ofHours(1));

    assertThat(payments.serial()).isNotEqualTo(orders.serial());
    assertThat(payments.spiffeId()).isEqualTo("spiffe://mesh.example/service/payments");
    assertThat(ca.issueOrReuse("orders", Duration.ofHours(1))).isEqualTo(orders);
  }

  @Test
  void aLeafDueForRotationIsReplacedAndTheOtherReplicaTakesTheNewOneFromDisk() {
    MeshIdentitiesTest.MovingClock clock = new MeshIdentitiesTest.MovingClock();
    CertificateAuthority a = CertificateAuthority.loadOrCreate(dir, DOMAIN, clock);
    CertificateAuthority b = CertificateAuthority.loadOrCreate(dir, DOMAIN, clock);
    WorkloadCertificate old = a.issueOrReuse("orders", Duration.ofHours(1));
    assertThat(b.issueOrReuse("orders", Duration.ofHours(1))).isEqualTo(old);

    clock.now = CertificateAuthority.rotationTime(old);
    WorkloadCertificate rotated = a.issueOrReuse("orders", Duration.ofHours(1));

    assertThat(rotated.serial()).isNotEqualTo(old.serial());
    assertThat(b.issueOrReuse("orders", Duration.ofHours(1))).isEqualTo(rotated);
  }

  @Test
  void theStoredLeafIsReadableByItsOwnerOnly() throws Exception {
    assertThat(Files.getFileStore(dir).supportsFileAttributeView("posix"))
        .as("the temp folder has POSIX permissions (Linux)")
        .isTrue();
    CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK)
        .issueOrReuse("orders", Duration.ofHours(1));

    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("issued/orders.pem"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("issued"))))
        .isEqualTo("rwx------");
    assertThat(
            Files.list(dir.resolve("issued"))
                .map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(".tmp")))
        .isEmpty();
  }

  @Test
  void aStoredLeafSignedByAnotherRootIsNotReused() throws Exception {
    // both roots are generated for the same trust domain, so they even share the subject name
    CertificateAuthority ours =
        CertificateAuthority.loadOrCreate(dir.resolve("ours"), DOMAIN, CLOCK);
    CertificateAuthority theirs =
        CertificateAuthority.loadOrCreate(dir.resolve("theirs"), DOMAIN, CLOCK);
    WorkloadCertificate foreign = theirs.issueOrReuse("orders", Duration.ofHours(1));
    Files.createDirectories(dir.resolve("ours/issued"));
    Files.copy(dir.resolve("theirs/issued/orders.pem"), dir.resolve("ours/issued/orders.pem"));

    WorkloadCertificate c = ours.issueOrReuse("orders", Duration.ofHours(1));

    assertThat(c.serial()).isNotEqualTo(foreign.serial());
    validate(c.certificatePem(), ours.certificatePem());
    assertThat(Files.readString(dir.resolve("ours/issued/orders.pem")))
        .isEqualTo(c.certificatePem() + c.privateKeyPem());
  }

  @Test
  void aStoredLeafOfAnotherServiceIsNotReused() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    WorkloadCertificate orders = ca.issueOrReuse("orders", Duration.ofHours(1));
    Files.copy(dir.resolve("issued/orders.pem"), dir.resolve("issued/payments.pem"));

    WorkloadCertificate payments = ca.issueOrReuse("payments", Duration.ofHours(1));

    assertThat(payments.serial()).isNotEqualTo(orders.serial());
    assertThat(payments.spiffeId()).isEqualTo("spiffe://mesh.example/service/payments");
  }

  @Test
  void aCorruptStoredLeafIsReplacedWithAWarningThatDoesNotQuoteTheKey() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
    WorkloadCertificate one = ca.issue("orders", Duration.ofHours(1));
    WorkloadCertificate other = ca.issue("orders", Duration.ofHours(1));
    String certBody =
        one.certificatePem().lines().filter(l -> !l.startsWith("-----")).toList().get(2);
    List<String> corruptions =
        List.of(
            "",
            "not a PEM file\n",
            one.certificatePem(), // no key
            one.privateKeyPem() + one.certificatePem(), // wrong order
            one.certificatePem() + other.privateKeyPem(), // someone else's key
            one.certificatePem()
                    .replace(certBody, certBody.substring(0, 10) + "!!!!" + certBody.substring(14))
                + one.privateKeyPem(), // damaged certificate
            one.certificatePem() + one.privateKeyPem().replace("M", "m")); // damaged key
    Path file = dir.resolve("issued/orders.pem");
    Files.createDirectories(file.getParent());

    for (String corrupt : corruptions) {
      Files.writeString(file, corrupt);
      WorkloadCertificate c;
      String log;
      try (var stderr = new CapturedStderr()) {
        c = ca.issueOrReuse("orders", Duration.ofHours(1));
        log = stderr.text();
      }

      assertThat(c.serial()).as(corrupt).isNotEqualTo(one.serial());
      validate(c.certificatePem(), ca.certificatePem());
      assertThat(Files.readString(file)).isEqualTo(c.certificatePem() + c.privateKeyPem());
      assertThat(log).contains(file.toString(), "unusable");
      assertNoKeyMaterial(new RuntimeException(log), one.privateKeyPem());
      assertNoKeyMaterial(new RuntimeException(log), other.privateKeyPem());
    }
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0}); // not even text
    assertThat(ca.issueOrReuse("orders", Duration.ofHours(1)).serial()).isNotEqualTo(one.serial());
  }

  @Test
  void concurrentReplicasStoreOneLeafPerService() throws Exception {
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<WorkloadCertificate>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        CertificateAuthority replica = CertificateAuthority.loadOrCreate(dir, DOMAIN, CLOCK);
        Callable<WorkloadCertificate> call =
            () -> {
              go.await();
              return replica.issueOrReuse("orders", Duration.ofHours(1));
            };
        results.add(pool.submit(call));
      }
      go.countDown();
      Set<WorkloadCertificate> served = new HashSet<>();
      for (Future<WorkloadCertificate> f : results) {
        served.add(f.get());
      }
      assertThat(served).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertNoKeyMaterial(Throwable e, String keyPem) {
    String base64 =
        keyPem.lines().filter(l -> !l.startsWith("-----")).collect(Collectors.joining());
    String message = String.valueOf(e.getMessage());
    // no run of 12 characters of the key's base64 appears in the message
    for (int i = 0; i + 12 <= base64.length(); i++) {
      assertThat(message).doesNotContain(base64.substring(i, i + 12));
    }
  }

  private static X509Certificate parse(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private static void validate(String leafPem, String rootPem) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(parse(rootPem), null)));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(NOW));
    CertPathValidator.getInstance("PKIX")
        .validate(cf.generateCertPath(List.of(parse(leafPem))), params);
  }
}
