package dev.sluice.ir;

import java.util.List;
import java.util.Optional;

/**
 * What one proxy group (all Envoys of one gateway) should do, with no Envoy types: the output of
 * {@link Compiler} and the input of the xDS translator.
 *
 * @param sidecar the mesh listeners of a sidecar group ({@code sidecar~<service>}); empty for a gateway
 * @param dnsClusters clusters for hosts outside the registry (JWKS URLs, OpenTelemetry collectors)
 */
public record ProxyConfig(
    String group, List<HttpListener> listeners, List<UpstreamCluster> clusters, List<DnsCluster> dnsClusters,
    Optional<SidecarConfig> sidecar) {
  /** A gateway's config: no sidecar part. */
  public ProxyConfig(String group, List<HttpListener> listeners, List<UpstreamCluster> clusters, List<DnsCluster> dnsClusters) {
    this(group, listeners, clusters, dnsClusters, Optional.empty());
  }

  public ProxyConfig {
    listeners = List.copyOf(listeners);
    clusters = List.copyOf(clusters);
    dnsClusters = List.copyOf(dnsClusters);
  }
}
