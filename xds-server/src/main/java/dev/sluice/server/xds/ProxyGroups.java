package dev.sluice.server.xds;

import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.envoy.config.core.v3.Node;

/**
 * Which snapshot an Envoy gets: the gateway named by its node metadata {@code sluice.gateway}, or
 * else its node cluster ({@code --service-cluster} / {@code node.cluster} in the bootstrap). All
 * Envoys of one gateway share one snapshot.
 */
public final class ProxyGroups implements NodeGroup<String> {
  public static final String METADATA_KEY = "sluice.gateway";

  @Override
  public String hash(Node node) {
    return group(node);
  }

  public static String group(Node node) {
    if (node.hasMetadata()) {
      var v = node.getMetadata().getFieldsMap().get(METADATA_KEY);
      if (v != null && v.hasStringValue() && !v.getStringValue().isEmpty()) {
        return v.getStringValue();
      }
    }
    return node.getCluster();
  }
}
