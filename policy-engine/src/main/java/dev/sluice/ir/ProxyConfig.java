package dev.sluice.ir;

import java.util.List;
import java.util.Optional;

/**
 * What one proxy group (all Envoys of one gateway) should do, with no Envoy types: the output of
 * {@link Compiler} and the input of the xDS translator.
 *
 * @param sidecar the mesh listeners of a sidecar group ({@code sidecar~<service>}); empty for a
 *     gateway
 * @param dnsClusters clusters for hosts outside the registry (JWKS URLs, OpenTelemetry collectors,
 *     the rate-limit service a gateway names)
 * @param meshClient the group's mesh identity and the clusters it reaches over mTLS; present for
 *     every sidecar group and for a gateway that routes to a service with a Sidecar
 */
public record ProxyConfig(
    String group,
    List<HttpListener> listeners,
    List<UpstreamCluster> clusters,
    List<DnsCluster> dnsClusters,
    Optional<SidecarConfig> sidecar,
    Optional<MeshClient> meshClient) {
  /** A gateway's config outside the mesh. */
  public ProxyConfig(
      String group,
      List<HttpListener> listeners,
      List<UpstreamCluster> clusters,
      List<DnsCluster> dnsClusters) {
    this(group, listeners, clusters, dnsClusters, Optional.empty(), Optional.empty());
  }

  public ProxyConfig {
    listeners = List.copyOf(listeners);
    clusters = List.copyOf(clusters);
    dnsClusters = List.copyOf(dnsClusters);
  }
}
