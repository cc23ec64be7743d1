package dev.sluice.server.mesh;

import dev.sluice.ir.MeshClient;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.xds.MeshSecrets;
import dev.sluice.xds.XdsResources;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Gives each sidecar group its identity: the workload certificate of the group's service, issued by
 * the {@link CertificateAuthority} in {@code caDir}, and the mesh root, as the group's SDS secrets.
 * A certificate is reused until {@link CertificateAuthority#needsRotation}; then the next rebuild
 * gets a new one (same secret name, new version). {@link #nextRotation()} tells the pipeline when
 * to rebuild for that.
 *
 * <p>The CA is loaded (or created) on first use with the trust domain of the policies' Mesh, so a
 * mesh-less installation never touches {@code caDir}. A Mesh whose trust domain differs from the
 * root's is refused ({@link CaException}); the last good config keeps serving.
 *
 * <p>Certificates come from {@link CertificateAuthority#issueOrReuse}, which stores each in {@code
 * caDir} ({@code issued/<service>.pem}, {@code 0600} like the root key): replicas sharing {@code
 * caDir} then serve the same certificate for a service, so their content-hash versions of {@code
 * mesh-cert} agree, and a restart keeps the serials instead of rotating every certificate. The
 * directory is read only when a certificate is missing here or due for rotation, not on every
 * rebuild; at rotation a replica takes the new certificate another one already stored.
 *
 * <p>Not thread-safe: the config pipeline calls it from its one thread.
 */
public final class MeshIdentities {
  private final Path caDir;
  private final Duration ttl;
  private final Clock clock;
  private CertificateAuthority ca;
  private final Map<String, WorkloadCertificate> issued = new HashMap<>();

  public MeshIdentities(Path caDir, Duration ttl, Clock clock) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("certificate lifetime must be positive, got " + ttl);
    }
    this.caDir = caDir;
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * {@code resources} of a group with its mesh secrets when the group calls or serves in the mesh
   * (a sidecar, or a gateway routing to a service with a sidecar); unchanged otherwise.
   *
   * @throws CaException if the CA cannot be loaded for the Mesh's trust domain
   */
  public XdsResources attach(ProxyConfig config, XdsResources resources) {
    if (config.meshClient().isEmpty()) {
      return resources;
    }
    MeshClient client = config.meshClient().get();
    CertificateAuthority authority = authority(client.trustDomain());
    WorkloadCertificate cert = issued.get(client.identity());
    if (cert == null || authority.needsRotation(cert, clock.instant())) {
      cert = authority.issueOrReuse(client.identity(), ttl);
      issued.put(client.identity(), cert);
    }
    return MeshSecrets.attach(
        resources,
        client.identity(),
        cert.certificatePem(),
        cert.privateKeyPem(),
        cert.trustBundlePem());
  }

  /** Forgets the certificates of identities no group has any more. */
  public void retain(Set<String> services) {
    issued.keySet().retainAll(services);
  }

  /** When the earliest issued certificate needs replacing; empty when none is issued. */
  public Optional<Instant> nextRotation() {
    return issued.values().stream().map(CertificateAuthority::rotationTime).min(Instant::compareTo);
  }

  /** The certificate currently served for a service (for /status and tests). */
  public Optional<WorkloadCertificate> current(String service) {
    return Optional.ofNullable(issued.get(service));
  }

  private CertificateAuthority authority(String trustDomain) {
    if (ca == null || !ca.trustDomain().equals(trustDomain)) {
      CertificateAuthority loaded = CertificateAuthority.loadOrCreate(caDir, trustDomain, clock);
      ca = loaded;
      issued.clear();
    }
    return ca;
  }
}
