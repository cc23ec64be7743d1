package dev.sluice.ir;

import dev.sluice.policy.access.AccessRule;
import java.util.List;

/**
 * What the sidecars of one service do (proxy group {@code sidecar~<service>}), with no Envoy types.
 * Its clusters (the local application, each upstream's mesh cluster) are ordinary {@link
 * UpstreamCluster}s in {@link ProxyConfig#clusters()}.
 *
 * <p>The certificate and the trust bundle are not here: the server adds them per group as the SDS
 * secrets {@link #CERT_SECRET} and {@link #TRUST_SECRET} from its certificate authority, so a
 * rotation changes one secret and nothing else.
 *
 * @param spiffeId the identity the sidecar presents ({@code spiffe://<td>/service/<service>})
 */
public record SidecarConfig(
    String service,
    String trustDomain,
    String spiffeId,
    Inbound inbound,
    List<Outbound> outbounds) {
  /** SDS name of the group's workload certificate and key. */
  public static final String CERT_SECRET = "mesh-cert";

  /** SDS name of the mesh root that validates peers. */
  public static final String TRUST_SECRET = "mesh-trust";

  /** The cluster of the local application. */
  public static final String APP_CLUSTER = "local-app";

  public SidecarConfig {
    outbounds = List.copyOf(outbounds);
  }

  /** The SPIFFE ID prefix every peer of the trust domain has. */
  public String trustDomainPrefix() {
    return "spiffe://" + trustDomain + "/";
  }

  /**
   * The mTLS listener other sidecars call.
   *
   * @param access who may call; {@link Access#allowAny()} lets any peer of the trust domain in
   *     (mTLS is required either way)
   */
  public record Inbound(String name, int port, int appPort, Access access) {}

  /**
   * @param allowAny whether any peer of the trust domain may call (Mesh defaultAccess allow and no
   *     ServiceAccess names this service)
   * @param permissions the ServiceAccess statements naming this service, in declaration order; when
   *     empty and not allowAny, every request is denied
   */
  public record Access(boolean allowAny, List<Permission> permissions) {
    public Access {
      permissions = List.copyOf(permissions);
    }
  }

  /**
   * One ServiceAccess: these callers, on requests matching {@code when}.
   *
   * @param policy the ServiceAccess name (the RBAC policy's name, so Envoy's stats and logs show
   *     it)
   * @param callers SPIFFE IDs of the calling services
   */
  public record Permission(String policy, List<String> callers, AccessRule when) {
    public Permission {
      callers = List.copyOf(callers);
    }
  }

  /**
   * A plaintext listener on 127.0.0.1 for the application, forwarding to an upstream's sidecars
   * over mTLS.
   *
   * @param cluster the upstream's mesh cluster
   * @param peerSpiffeId the identity the upstream's sidecars must present
   */
  public record Outbound(
      String name, int localPort, String service, String cluster, String peerSpiffeId) {}
}
