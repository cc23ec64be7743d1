package dev.sluice.server.mesh;

import dev.sluice.core.NameRules;
import dev.sluice.core.PemKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's built-in certificate authority: one root per trust domain, kept in a directory
 * ({@value #CERT_FILE} + {@value #KEY_FILE}), issuing short-lived SPIFFE workload certificates
 * ({@code spiffe://<trust-domain>/service/<name>}) for the sidecars.
 *
 * <h2>Why these choices</h2>
 *
 * <ul>
 *   <li><b>Persisted in a directory, shared by replicas.</b> Sluice replicas are stateless (all
 *       state lives in Consul and the policy files), yet every replica must issue certificates that
 *       every sidecar trusts. Pointing them at one directory (a shared volume, or a user-supplied
 *       CA) gives them one root, and a restart keeps the root, so identities and existing
 *       connections survive it.
 *   <li><b>Issued leaves are persisted too</b>, in {@value #ISSUED_DIR}{@code /<service>.pem}
 *       (certificate PEM, then its PKCS#8 key PEM), by {@link #issueOrReuse}. Versions are content
 *       hashes that replicas must agree on, and a random key and serial per replica would give
 *       every replica its own {@code mesh-cert}, and every restart a rotation of every certificate.
 *       So the first replica to need a service's certificate issues and stores it; the others, and
 *       a restarted server, read it back and serve the same bytes until it is due for rotation. A
 *       stored leaf is served only if it still names the service, verifies against the current root
 *       and has its key; anything else (a replaced root, a damaged file) is re-issued over it. The
 *       files hold private keys, so they are {@code 0600} like the root key, in a {@code 0700}
 *       directory, written atomically under a lock of their own ({@value #ISSUED_DIR}{@code
 *       /}{@value #ISSUED_LOCK}) so that two replicas never both issue. If the directory is not
 *       writable (a read-only mounted CA) leaves are issued in memory only, with a warning: the
 *       mesh works, replicas just disagree.
 *   <li><b>First start is race-free.</b> Creation happens under a lock: an in-JVM monitor per
 *       directory plus an OS file lock on {@value #LOCK_FILE}. Under the lock the files are
 *       re-checked, so a replica that loses the race reads the winner's root instead of writing its
 *       own. The key is written first and the certificate last, each to a temporary file that is
 *       flushed and then atomically renamed, so a reader that sees {@value #CERT_FILE} also sees a
 *       complete key. The key file is {@code 0600} where the file system has POSIX permissions.
 *   <li><b>Loading is strict.</b> A supplied root must be a CA (basicConstraints CA, keyCertSign if
 *       key usage is present), not expired, name the trust domain (URI SAN {@code
 *       spiffe://<trust-domain>}, or else a subject attribute equal to it), and its key must match
 *       (checked by signing and verifying a challenge). Errors name the file and never include key
 *       material. A directory holding only one of the two files is an error, not a reason to
 *       generate a new root over it.
 *   <li><b>EC P-256 everywhere we generate keys</b>: small, fast to generate on every issue,
 *       accepted by Envoy (BoringSSL) and every TLS stack. A supplied RSA root also works; it then
 *       signs with SHA256withRSA. The root lives 10 years and may sign only leaves (path length 0).
 *   <li><b>Leaves follow the SPIFFE X.509-SVID profile</b>: exactly one URI SAN (the SPIFFE ID),
 *       not a CA, key usage digitalSignature + keyEncipherment, extended key usage serverAuth +
 *       clientAuth (the same certificate serves the inbound listener and the outbound calls),
 *       subject CN = service name for humans reading logs. notBefore is backdated a minute so a
 *       peer whose clock is slightly behind accepts a fresh certificate; notAfter never exceeds the
 *       root's. Serials are 128 random bits, so two replicas never issue the same serial and a
 *       rotation is visible as a serial change.
 *   <li><b>Rotation at two thirds of the lifetime</b> ({@link #needsRotation}). Istio rotates at
 *       about 80%, SPIRE at half. Two thirds leaves a third of the lifetime (20 minutes of a one
 *       hour certificate) to deliver the new one over SDS even if the control plane is briefly
 *       unavailable, without re-issuing twice as often as needed.
 * </ul>
 */
public final class CertificateAuthority {
  public static final String CERT_FILE = "ca.pem";
  public static final String KEY_FILE = "ca-key.pem";
  public static final String LOCK_FILE = "ca.lock";
  public static final String ISSUED_DIR = "issued";
  static final String ISSUED_LOCK = ".lock";

  private static final Logger LOG = LoggerFactory.getLogger(CertificateAuthority.class);

  private static final Duration SKEW = Duration.ofMinutes(1);

  /** An IPv4 address or anything with a colon (IPv6): an IP SAN rather than a DNS one. */
  private static final Pattern IP_ADDRESS = Pattern.compile("^(\\d{1,3}(\\.\\d{1,3}){3}|.*:.*)$");

  private static final String CERT_BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final int ROOT_YEARS = 10;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ConcurrentHashMap<Path, Object> DIR_LOCKS = new ConcurrentHashMap<>();

  private final Path dir;
  private final String trustDomain;
  private final X509Certificate root;
  private final PrivateKey rootKey;
  private final String rootPem;
  private final Clock clock;

  private CertificateAuthority(
      Path dir, String trustDomain, X509Certificate root, PrivateKey rootKey, Clock clock) {
    this.dir = dir;
    this.trustDomain = trustDomain;
    this.root = root;
    this.rootKey = rootKey;
    this.rootPem = pem(root);
    this.clock = clock;
  }

  /**
   * Loads the CA from {@code dir} if it holds {@value #CERT_FILE} and {@value #KEY_FILE}; otherwise
   * creates the directory if needed, generates a root and writes both files. Replicas starting at
   * once against the same directory end up with the same root.
   *
   * @throws CaException if the files cannot be read or used (the message names the file)
   * @throws IllegalArgumentException if {@code trustDomain} is not a valid trust domain name
   */
  public static CertificateAuthority loadOrCreate(Path dir, String trustDomain, Clock clock) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(clock, "clock");
    if (!NameRules.isTrustDomain(trustDomain)) {
      throw new IllegalArgumentException(
          "\""
              + trustDomain
              + "\" is not a valid trust domain:"
              + " use lower-case letters, digits, '.', '_' and '-', starting and ending with a letter or digit");
    }
    Path certFile = dir.resolve(CERT_FILE);
    Path keyFile = dir.resolve(KEY_FILE);
    if (Files.exists(certFile) && Files.exists(keyFile)) {
      return load(dir, certFile, keyFile, trustDomain, clock);
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CaException(dir + ": cannot create the CA directory: " + e.getMessage(), e);
    }
    Path key = dir.toAbsolutePath().normalize();
    synchronized (DIR_LOCKS.computeIfAbsent(key, k -> new Object())) {
      try (FileChannel lockChannel =
              FileChannel.open(
                  dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockChannel.lock()) {
        boolean hasCert = Files.exists(certFile);
        boolean hasKey = Files.exists(keyFile);
        if (hasCert && hasKey) {
          return load(dir, certFile, keyFile, trustDomain, clock);
        }
        if (hasCert || hasKey) {
          Path present = hasCert ? certFile : keyFile;
          Path missing = hasCert ? keyFile : certFile;
          throw new CaException(
              missing
                  + ": missing, but "
                  + present
                  + " exists; supply both files,"
                  + " or remove "
                  + present
                  + " to let Sluice generate a new root");
        }
        CertificateAuthority ca = generate(dir, trustDomain, clock);
        writeAtomically(keyFile, privateKeyPem(ca.rootKey), true);
        writeAtomically(certFile, ca.rootPem, false);
        return ca;
      } catch (IOException e) {
        throw new CaException(dir + ": cannot create the CA: " + e.getMessage(), e);
      }
    }
  }

  /** The trust domain, e.g. {@code sluice.local}. */
  public String trustDomain() {
    return trustDomain;
  }

  /** The root certificate. */
  public X509Certificate certificate() {
    return root;
  }

  /** The root certificate as PEM: the trust bundle sidecars validate peers against. */
  public String certificatePem() {
    return rootPem;
  }

  /** {@code spiffe://<trust-domain>/service/<service>}. */
  public String spiffeId(String service) {
    return "spiffe://" + trustDomain + "/service/" + checkService(service);
  }

  /**
   * Issues a workload certificate for {@code service}, valid from a minute ago until {@code ttl}
   * from now (never beyond the root's own expiry).
   *
   * @throws IllegalArgumentException if the service name is invalid or {@code ttl} is not positive
   */
  public WorkloadCertificate issue(String service, Duration ttl) {
    String id = spiffeId(service);
    checkTtl(ttl);
    Instant now = clock.instant();
    Instant notBefore = now.minus(SKEW);
    Instant notAfter = now.plus(ttl);
    Instant rootEnd = root.getNotAfter().toInstant();
    if (notAfter.isAfter(rootEnd)) {
      notAfter = rootEnd;
    }
    if (!notAfter.isAfter(now)) {
      throw new CaException(
          "the CA certificate expired at " + rootEnd + "; cannot issue for " + service);
    }
    try {
      KeyPair pair = ecKeys();
      BigInteger serial = serial();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              root,
              serial,
              Date.from(notBefore),
              Date.from(notAfter),
              new X500Name("CN=" + service),
              pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id)));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(root));
      X509Certificate leaf = sign(b, rootKey);
      return new WorkloadCertificate(
          pem(leaf),
          privateKeyPem(pair.getPrivate()),
          rootPem,
          serial,
          leaf.getNotBefore().toInstant(),
          leaf.getNotAfter().toInstant(),
          id);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException(
          "cannot issue a certificate for " + service + ": " + e.getMessage(), e);
    }
  }

  /**
   * Issues a TLS server certificate for the control plane's own ports (xDS, rate limits): DNS and
   * IP address SANs, extended key usage serverAuth only, valid from a minute ago until {@code ttl}
   * from now (never beyond the root's expiry). {@code spiffeId} of the result is empty.
   *
   * @param names host names and IP addresses clients connect to (at least one)
   */
  public WorkloadCertificate issueServer(List<String> names, Duration ttl) {
    checkTtl(ttl);
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs at least one name");
    }
    Instant now = clock.instant();
    Instant notAfter =
        now.plus(ttl).isAfter(root.getNotAfter().toInstant())
            ? root.getNotAfter().toInstant()
            : now.plus(ttl);
    try {
      KeyPair pair = ecKeys();
      BigInteger serial = serial();
      GeneralName[] sans =
          names.stream()
              .map(
                  n ->
                      new GeneralName(
                          IP_ADDRESS.matcher(n).matches()
                              ? GeneralName.iPAddress
                              : GeneralName.dNSName,
                          n))
              .toArray(GeneralName[]::new);
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              root,
              serial,
              Date.from(now.minus(SKEW)),
              Date.from(notAfter),
              new X500Name("CN=" + names.get(0)),
              pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(root));
      X509Certificate leaf = sign(b, rootKey);
      return new WorkloadCertificate(
          pem(leaf),
          privateKeyPem(pair.getPrivate()),
          rootPem,
          serial,
          leaf.getNotBefore().toInstant(),
          leaf.getNotAfter().toInstant(),
          "");
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException(
          "cannot issue a server certificate for " + names + ": " + e.getMessage(), e);
    }
  }

  /**
   * The certificate of {@code service} stored in this CA's directory, if it may still be served
   * (names the service, verifies against the current root, matches its key, not due for rotation);
   * otherwise a new one from {@link #issue}, stored there. Replicas sharing the directory, and this
   * server after a restart, thus serve the same certificate (serial, key and PEM bytes) until it is
   * due for rotation. See the class comment.
   *
   * @throws IllegalArgumentException if the service name is invalid or {@code ttl} is not positive
   */
  WorkloadCertificate issueOrReuse(String service, Duration ttl) {
    String id = spiffeId(service); // checked before it becomes a file name
    checkTtl(ttl);
    Path issuedDir = dir.resolve(ISSUED_DIR);
    // the OS lock keeps other processes out, but within one JVM a second lock on the same file
    // throws instead of waiting, so threads queue on a monitor first (as in loadOrCreate)
    synchronized (
        DIR_LOCKS.computeIfAbsent(issuedDir.toAbsolutePath().normalize(), k -> new Object())) {
      try {
        createPrivateDirectory(issuedDir);
        try (FileChannel lockChannel =
                FileChannel.open(
                    issuedDir.resolve(ISSUED_LOCK),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock ignored = lockChannel.lock()) {
          Path file = issuedDir.resolve(service + ".pem");
          Optional<WorkloadCertificate> stored = stored(file, id);
          return stored.isPresent() ? stored.get() : issueAndStore(file, service, ttl);
        }
      } catch (IOException e) {
        LOG.warn(
            "{}: cannot lock the stored workload certificates ({}); issuing one for {} in memory,"
                + " so replicas and restarts will not agree on it",
            issuedDir,
            e.getMessage(),
            service);
        return issue(service, ttl);
      }
    }
  }

  private WorkloadCertificate issueAndStore(Path file, String service, Duration ttl) {
    WorkloadCertificate fresh = issue(service, ttl);
    try {
      writeAtomically(file, fresh.certificatePem() + fresh.privateKeyPem(), true);
    } catch (IOException e) {
      LOG.warn(
          "{}: cannot store the workload certificate ({}); serving it from memory only, so replicas"
              + " and restarts will not agree on it",
          file,
          e.getClass().getSimpleName());
    }
    return fresh;
  }

  /**
   * The leaf stored in {@code file} when it may be served again; empty when there is none, it is
   * due for rotation, or it is unusable (then logged, naming the file and never its contents).
   */
  private Optional<WorkloadCertificate> stored(Path file, String id) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return replacing(file, "it cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    // the file is exactly certificatePem + privateKeyPem as issue() made them; split it back so
    // the PEM served is byte for byte what the issuing replica serves
    int keyAt = text.indexOf(PKCS8_BEGIN);
    if (keyAt <= 0 || !text.startsWith(CERT_BEGIN) || count(text, "-----BEGIN ") != 2) {
      return replacing(file, "it is not one PEM certificate followed by one PKCS#8 private key");
    }
    String certPem = text.substring(0, keyAt);
    String keyPem = text.substring(keyAt);
    X509Certificate cert;
    PrivateKey key;
    try {
      cert =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new ByteArrayInputStream(certPem.getBytes(StandardCharsets.US_ASCII)));
      key = parsePrivateKey(keyPem, file);
    } catch (CertificateException | RuntimeException e) {
      // no exception message is logged: a parser's might quote the file, which holds the key
      return replacing(file, "its certificate or key does not parse");
    }
    if (!matches(key, cert.getPublicKey())) {
      return replacing(file, "its private key does not belong to its certificate");
    }
    if (!uriSans(cert).equals(List.of(id))) {
      return replacing(file, "it does not name " + id + " (found " + uriSans(cert) + ")");
    }
    if (!signedByRoot(cert)) {
      // expected once after the root was replaced: no warning
      LOG.info(
          "{}: stored workload certificate (serial {}) is not signed by the current root; issuing a new one",
          file,
          cert.getSerialNumber().toString(16));
      return Optional.empty();
    }
    // notBefore is not checked against our clock: a replica whose clock lags another's still
    // serves that replica's fresh leaf (backdated a minute) rather than replacing it
    WorkloadCertificate c =
        new WorkloadCertificate(
            certPem,
            keyPem,
            rootPem,
            cert.getSerialNumber(),
            cert.getNotBefore().toInstant(),
            cert.getNotAfter().toInstant(),
            id);
    return needsRotation(c, clock.instant()) ? Optional.empty() : Optional.of(c);
  }

  private static Optional<WorkloadCertificate> replacing(Path file, String why) {
    LOG.warn(
        "{}: stored workload certificate is unusable: {}; issuing a new one over it", file, why);
    return Optional.empty();
  }

  private boolean signedByRoot(X509Certificate cert) {
    if (!cert.getIssuerX500Principal().equals(root.getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(root.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /**
   * True once two thirds of the certificate's lifetime (from issue, which is {@code notBefore} plus
   * the minute it is backdated, to {@code notAfter}) have passed, or it has expired. See the class
   * comment for why two thirds. Counting from {@code notBefore} would make the backdated minute
   * part of the lifetime: a 15 s certificate would be due at once and every rebuild would issue
   * another.
   */
  public boolean needsRotation(WorkloadCertificate c, Instant now) {
    return !now.isBefore(rotationTime(c));
  }

  /** The instant from which {@link #needsRotation} answers true. */
  public static Instant rotationTime(WorkloadCertificate c) {
    Instant issued = c.notBefore().plus(SKEW);
    if (!issued.isBefore(c.notAfter())) {
      return c.notBefore();
    }
    return issued.plus(Duration.between(issued, c.notAfter()).multipliedBy(2).dividedBy(3));
  }

  @Override
  public String toString() {
    return "CertificateAuthority["
        + trustDomain
        + ", root serial "
        + root.getSerialNumber().toString(16)
        + ", expires "
        + root.getNotAfter().toInstant()
        + "]";
  }

  // ---- loading ----

  private static CertificateAuthority load(
      Path dir, Path certFile, Path keyFile, String trustDomain, Clock clock) {
    X509Certificate cert = readCertificate(certFile);
    if (cert.getBasicConstraints() < 0) {
      throw new CaException(certFile + ": not a CA certificate (basicConstraints CA is not set)");
    }
    boolean[] usage = cert.getKeyUsage();
    if (usage != null && (usage.length <= 5 || !usage[5])) {
      throw new CaException(
          certFile + ": the certificate may not sign certificates (key usage lacks keyCertSign)");
    }
    if (cert.getNotAfter().toInstant().isBefore(clock.instant())) {
      throw new CaException(
          certFile + ": the CA certificate expired at " + cert.getNotAfter().toInstant());
    }
    if (!namesTrustDomain(cert, trustDomain)) {
      throw new CaException(
          certFile
              + ": the CA certificate does not name trust domain "
              + trustDomain
              + " (expected URI SAN spiffe://"
              + trustDomain
              + ", found "
              + uriSans(cert)
              + ", subject "
              + cert.getSubjectX500Principal().getName()
              + ")");
    }
    PrivateKey key = readPrivateKey(keyFile);
    if (!matches(key, cert.getPublicKey())) {
      throw new CaException(
          keyFile + ": the private key does not belong to the certificate in " + certFile);
    }
    return new CertificateAuthority(dir, trustDomain, cert, key, clock);
  }

  private static X509Certificate readCertificate(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CaException(file + ": missing");
    } catch (IOException e) {
      throw new CaException(file + ": cannot read: " + e.getMessage(), e);
    }
    try {
      Collection<? extends java.security.cert.Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
      if (certs.isEmpty()) {
        throw new CaException(file + ": no PEM certificate found");
      }
      return (X509Certificate) certs.iterator().next();
    } catch (CertificateException e) {
      throw new CaException(file + ": not a readable PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  /** Parse failures carry no cause and no parser message: either might quote the key's text. */
  private static PrivateKey readPrivateKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new CaException(file + ": missing");
    } catch (IOException e) {
      throw new CaException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
    return parsePrivateKey(text, file);
  }

  /** The first PEM private key in {@code text}; errors name {@code file} and nothing else. */
  private static PrivateKey parsePrivateKey(String text, Path file) {
    try {
      return PemKeys.privateKey(text);
    } catch (PemKeys.UnreadableKeyException e) {
      throw new CaException(file + ": " + e.getMessage());
    }
  }

  private static boolean matches(PrivateKey key, PublicKey pub) {
    try {
      byte[] challenge = new byte[32];
      RANDOM.nextBytes(challenge);
      String alg = signatureAlgorithm(key);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(challenge);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(challenge);
      return v.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static boolean namesTrustDomain(X509Certificate cert, String trustDomain) {
    List<String> uris = uriSans(cert);
    if (uris.contains("spiffe://" + trustDomain)) {
      return true;
    }
    if (!uris.isEmpty()) {
      return false;
    }
    X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    for (var rdn : subject.getRDNs()) {
      for (var atv : rdn.getTypesAndValues()) {
        if (trustDomain.equals(atv.getValue().toString())) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<String> uriSans(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return List.of();
      }
      return sans.stream()
          .filter(e -> Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(e.get(0)))
          .map(e -> String.valueOf(e.get(1)))
          .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  // ---- generating ----

  private static CertificateAuthority generate(Path dir, String trustDomain, Clock clock) {
    try {
      KeyPair pair = ecKeys();
      Instant now = clock.instant();
      Instant notAfter = now.atOffset(ZoneOffset.UTC).plusYears(ROOT_YEARS).toInstant();
      X500Name name =
          new X500NameBuilder(BCStyle.INSTANCE)
              .addRDN(BCStyle.O, "Sluice")
              .addRDN(BCStyle.CN, trustDomain)
              .build();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(SKEW)),
              Date.from(notAfter),
              name,
              pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
      X509Certificate cert = sign(b, pair.getPrivate());
      return new CertificateAuthority(dir, trustDomain, cert, pair.getPrivate(), clock);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot generate the CA root: " + e.getMessage(), e);
    }
  }

  /** Temporary file in the same directory, flushed, then renamed over {@code target} atomically. */
  private static void writeAtomically(Path target, String content, boolean secret)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
    Path tmp =
        posix
            ? Files.createTempFile(
                dir,
                "." + target.getFileName(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")))
            : Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (posix) {
        // the umask may have narrowed the mode at creation; set it exactly
        Files.setPosixFilePermissions(
            tmp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * {@code dir}, created {@code 0700} where the file system has POSIX permissions: it holds keys.
   */
  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    boolean posix =
        Files.getFileStore(dir.toAbsolutePath().getParent()).supportsFileAttributeView("posix");
    try {
      if (posix) {
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // the umask may have narrowed the mode at creation; set it exactly
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      // another replica created it first
    }
  }

  // ---- shared ----

  private static void checkTtl(Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("certificate lifetime must be positive, got " + ttl);
    }
  }

  private static int count(String text, String marker) {
    int n = 0;
    for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
      n++;
    }
    return n;
  }

  private static String checkService(String service) {
    if (!NameRules.isName(service)) {
      throw new IllegalArgumentException(
          "\""
              + service
              + "\" is not a valid service name: use lower-case letters,"
              + " digits, '.', '_' and '-' (at most 63, starting and ending with a letter or digit)");
    }
    return service;
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  /** 128 random bits, positive and non-zero (RFC 5280 allows up to 20 octets). */
  private static BigInteger serial() {
    BigInteger s;
    do {
      byte[] b = new byte[16];
      RANDOM.nextBytes(b);
      s = new BigInteger(1, b);
    } while (s.signum() == 0);
    return s;
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new CaException("unsupported CA key algorithm " + key.getAlgorithm());
    };
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder(signatureAlgorithm(issuer)).build(issuer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static String privateKeyPem(PrivateKey key) {
    try {
      return pem(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
