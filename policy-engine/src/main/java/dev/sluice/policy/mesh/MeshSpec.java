package dev.sluice.policy.mesh;

import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.Source;

/**
 * Mesh-wide settings: at most one {@code kind: Mesh} document; {@link #DEFAULT} when there is none.
 *
 * @param trustDomain the SPIFFE trust domain: identities are {@code
 *     spiffe://<trustDomain>/service/<name>}
 * @param defaultAccess what a sidecar does with a caller of the trust domain when no ServiceAccess
 *     names its service as {@code to} (see docs/mesh-design.md for why deny is the default)
 */
public record MeshSpec(String name, Source source, String trustDomain, DefaultAccess defaultAccess)
    implements PolicyResource {
  public static final String KIND = "Mesh";

  @Override
  public String kind() {
    return KIND;
  }

  public static final String DEFAULT_TRUST_DOMAIN = "sluice.local";
  public static final MeshSpec DEFAULT =
      new MeshSpec("mesh", null, DEFAULT_TRUST_DOMAIN, DefaultAccess.DENY);

  public enum DefaultAccess {
    DENY,
    ALLOW
  }

  /**
   * The SPIFFE ID of a service's workload certificate; the same form {@code CertificateAuthority}
   * issues.
   */
  public String spiffeId(String service) {
    return "spiffe://" + trustDomain + "/service/" + service;
  }
}
