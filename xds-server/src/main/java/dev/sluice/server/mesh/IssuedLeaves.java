package dev.sluice.server.mesh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leaves already issued, kept in {@value #DIR}{@code /<service>.pem} (certificate PEM, then its
 * PKCS#8 key PEM) of the CA directory.
 *
 * <p>Versions are content hashes that replicas must agree on, and a random key and serial per
 * replica would give every replica its own {@code mesh-cert}, and every restart a rotation of every
 * certificate. So the first replica to need a service's certificate issues and stores it; the
 * others, and a restarted server, read it back and serve the same bytes until it is due for
 * rotation. A stored leaf is served only if it still names the service, verifies against the
 * current root and has its key; anything else (a replaced root, a damaged file) is re-issued over
 * it. The files hold private keys, so they are {@code 0600} like the root key, in a {@code 0700}
 * directory, written atomically under a {@link DirectoryLock} of their own ({@value #DIR}{@code
 * /}{@value #LOCK}) so that two replicas never both issue. If the directory is not writable (a
 * read-only mounted CA) leaves are issued in memory only, with a warning: the mesh works, replicas
 * just disagree.
 */
final class IssuedLeaves {
  static final String DIR = "issued";
  static final String LOCK = ".lock";

  private static final Logger LOG = LoggerFactory.getLogger(IssuedLeaves.class);

  private final Path dir;
  private final CaRoot root;
  private final LeafIssuer issuer;
  private final Clock clock;

  IssuedLeaves(Path caDir, CaRoot root, LeafIssuer issuer, Clock clock) {
    this.dir = caDir.resolve(DIR);
    this.root = root;
    this.issuer = issuer;
    this.clock = clock;
  }

  /** The stored leaf of {@code service} if it may still be served, else a new one, stored. */
  WorkloadCertificate issueOrReuse(String service, Duration ttl) {
    String id =
        SpiffeNames.serviceId(root.trustDomain(), service); // checked before it names a file
    LeafIssuer.checkTtl(ttl);
    try {
      PrivateFiles.createPrivateDirectory(dir);
      return DirectoryLock.holding(dir.resolve(LOCK), () -> reuseOrIssue(service, id, ttl));
    } catch (IOException e) {
      LOG.warn(
          "{}: cannot lock the stored workload certificates ({}); issuing one for {} in memory,"
              + " so replicas and restarts will not agree on it",
          dir,
          e.getMessage(),
          service);
      return issuer.workload(service, id, ttl);
    }
  }

  private WorkloadCertificate reuseOrIssue(String service, String id, Duration ttl) {
    Path file = dir.resolve(service + ".pem");
    return stored(file, id).orElseGet(() -> issueAndStore(file, service, id, ttl));
  }

  private WorkloadCertificate issueAndStore(Path file, String service, String id, Duration ttl) {
    WorkloadCertificate fresh = issuer.workload(service, id, ttl);
    try {
      PrivateFiles.writeAtomically(file, fresh.certificatePem() + fresh.privateKeyPem(), true);
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
    // the file is exactly certificatePem + privateKeyPem as issued; split it back so the PEM
    // served is byte for byte what the issuing replica serves
    int keyAt = text.indexOf(Pem.PKCS8_BEGIN);
    if (keyAt <= 0 || !text.startsWith(Pem.CERT_BEGIN) || count(text, "-----BEGIN ") != 2) {
      return replacing(file, "it is not one PEM certificate followed by one PKCS#8 private key");
    }
    return usable(file, id, text.substring(0, keyAt), text.substring(keyAt));
  }

  private Optional<WorkloadCertificate> usable(
      Path file, String id, String certPem, String keyPem) {
    X509Certificate cert;
    PrivateKey key;
    try {
      cert = Pem.parseCertificate(certPem);
      key = Pem.parsePrivateKey(keyPem, file);
    } catch (CertificateException | RuntimeException e) {
      // no exception message is logged: a parser's might quote the file, which holds the key
      return replacing(file, "its certificate or key does not parse");
    }
    if (!Keys.match(key, cert.getPublicKey())) {
      return replacing(file, "its private key does not belong to its certificate");
    }
    if (!Keys.uriSans(cert).equals(List.of(id))) {
      return replacing(file, "it does not name " + id + " (found " + Keys.uriSans(cert) + ")");
    }
    if (!root.issued(cert)) {
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
            root.pem(),
            cert.getSerialNumber(),
            cert.getNotBefore().toInstant(),
            cert.getNotAfter().toInstant(),
            id);
    return Rotation.due(c, clock.instant()) ? Optional.empty() : Optional.of(c);
  }

  private static Optional<WorkloadCertificate> replacing(Path file, String why) {
    LOG.warn(
        "{}: stored workload certificate is unusable: {}; issuing a new one over it", file, why);
    return Optional.empty();
  }

  private static int count(String text, String marker) {
    int n = 0;
    for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
      n++;
    }
    return n;
  }
}
