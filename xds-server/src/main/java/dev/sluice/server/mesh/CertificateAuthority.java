package dev.sluice.server.mesh;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The mesh's built-in certificate authority: one root per trust domain, kept in a directory
 * ({@value #CERT_FILE} + {@value #KEY_FILE}), issuing short-lived SPIFFE workload certificates
 * ({@code spiffe://<trust-domain>/service/<name>}) for the sidecars.
 *
 * <p>It puts together the parts, each of which says why it works as it does: the root on disk
 * ({@link RootStore}: shared by replicas, race-free first start; {@link RootCheck}: strict loading;
 * {@link RootGenerator}), the leaf issuer ({@link LeafIssuer}: the SPIFFE X.509-SVID profile), the
 * leaves stored for replicas and restarts to agree on ({@link IssuedLeaves}), and the rotation
 * threshold ({@link Rotation}: two thirds of the lifetime).
 */
public final class CertificateAuthority {
  public static final String CERT_FILE = RootStore.CERT_FILE;
  public static final String KEY_FILE = RootStore.KEY_FILE;
  public static final String LOCK_FILE = RootStore.LOCK_FILE;
  public static final String ISSUED_DIR = IssuedLeaves.DIR;

  private final CaRoot root;
  private final LeafIssuer issuer;
  private final IssuedLeaves issued;

  private CertificateAuthority(Path dir, CaRoot root, Clock clock) {
    this.root = root;
    this.issuer = new LeafIssuer(root, clock);
    this.issued = new IssuedLeaves(dir, root, issuer, clock);
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
    SpiffeNames.checkTrustDomain(trustDomain);
    return new CertificateAuthority(dir, RootStore.loadOrCreate(dir, trustDomain, clock), clock);
  }

  /** The trust domain, e.g. {@code sluice.local}. */
  public String trustDomain() {
    return root.trustDomain();
  }

  /** The root certificate. */
  public X509Certificate certificate() {
    return root.certificate();
  }

  /** The root certificate as PEM: the trust bundle sidecars validate peers against. */
  public String certificatePem() {
    return root.pem();
  }

  /** {@code spiffe://<trust-domain>/service/<service>}. */
  public String spiffeId(String service) {
    return SpiffeNames.serviceId(root.trustDomain(), service);
  }

  /**
   * Issues a workload certificate for {@code service}, valid from a minute ago until {@code ttl}
   * from now (never beyond the root's own expiry).
   *
   * @throws IllegalArgumentException if the service name is invalid or {@code ttl} is not positive
   */
  public WorkloadCertificate issue(String service, Duration ttl) {
    return issuer.workload(service, spiffeId(service), ttl);
  }

  /**
   * Issues a TLS server certificate for the control plane's own ports (xDS, rate limits): DNS and
   * IP address SANs, extended key usage serverAuth only, valid from a minute ago until {@code ttl}
   * from now (never beyond the root's expiry). {@code spiffeId} of the result is empty.
   *
   * @param names host names and IP addresses clients connect to (at least one)
   */
  public WorkloadCertificate issueServer(List<String> names, Duration ttl) {
    return issuer.server(names, ttl);
  }

  /**
   * The certificate of {@code service} stored in this CA's directory, if it may still be served
   * (names the service, verifies against the current root, matches its key, not due for rotation);
   * otherwise a new one from {@link #issue}, stored there. Replicas sharing the directory, and this
   * server after a restart, thus serve the same certificate (serial, key and PEM bytes) until it is
   * due for rotation. See {@link IssuedLeaves}.
   *
   * @throws IllegalArgumentException if the service name is invalid or {@code ttl} is not positive
   */
  WorkloadCertificate issueOrReuse(String service, Duration ttl) {
    return issued.issueOrReuse(service, ttl);
  }

  /**
   * True once two thirds of the certificate's lifetime (from issue to {@code notAfter}) have
   * passed, or it has expired. See {@link Rotation}.
   */
  public boolean needsRotation(WorkloadCertificate c, Instant now) {
    return Rotation.due(c, now);
  }

  /** The instant from which {@link #needsRotation} answers true. */
  public static Instant rotationTime(WorkloadCertificate c) {
    return Rotation.time(c);
  }

  @Override
  public String toString() {
    return "CertificateAuthority[" + root + "]";
  }
}
