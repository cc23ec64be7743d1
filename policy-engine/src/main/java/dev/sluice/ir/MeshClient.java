package dev.sluice.ir;

import java.util.List;

/**
 * A proxy group that calls services through their sidecars: the identity it presents and the
 * clusters it must reach over mTLS. A sidecar group always has one (its identity is its service's,
 * its peers are its upstreams); a gateway has one as soon as a route goes to a service that has a
 * Sidecar.
 *
 * <p>The certificate is not here: the server adds it per group from its certificate authority as
 * the SDS secrets {@link SidecarConfig#CERT_SECRET} and {@link SidecarConfig#TRUST_SECRET}.
 *
 * @param identity the name in the group's SPIFFE ID ({@code spiffe://<td>/service/<identity>}): the
 *     service of a sidecar, the gateway's name for a gateway
 * @param peers the mesh clusters, each with the identity its endpoints must present
 */
public record MeshClient(String identity, String trustDomain, String spiffeId, List<Peer> peers) {
  public MeshClient {
    peers = List.copyOf(peers);
  }

  /** A cluster whose endpoints are sidecars of {@code service}, verified by their SPIFFE ID. */
  public record Peer(String cluster, String service, String spiffeId) {}
}
