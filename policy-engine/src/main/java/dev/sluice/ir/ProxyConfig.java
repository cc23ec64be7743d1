package dev.sluice.ir;

import java.util.List;

/**
 * What one proxy group (all Envoys of one gateway) should do, with no Envoy types: the output of
 * {@link Compiler} and the input of the xDS translator.
 *
 * @param dnsClusters clusters for hosts outside the registry (JWKS URLs, OpenTelemetry collectors)
 */
public record ProxyConfig(
    String group, List<HttpListener> listeners, List<UpstreamCluster> clusters, List<DnsCluster> dnsClusters) {
  public ProxyConfig {
    listeners = List.copyOf(listeners);
    clusters = List.copyOf(clusters);
    dnsClusters = List.copyOf(dnsClusters);
  }
}
