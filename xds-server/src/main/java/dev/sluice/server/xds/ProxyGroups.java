package dev.sluice.server.xds;

import dev.sluice.policy.sidecar.SidecarSpec;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.envoy.config.core.v3.Node;

/**
 * Which snapshot an Envoy gets. A sidecar (node metadata {@code sluice.role: sidecar} and {@code
 * sluice.service: <name>}) gets its service's group {@code sidecar~<name>}, which the Sidecar
 * policy of that service produces. Otherwise: the gateway named by its node metadata {@code
 * sluice.gateway}, or else its node cluster ({@code --service-cluster} / {@code node.cluster} in
 * the bootstrap). All Envoys of one gateway, or of one service's sidecars, share one snapshot.
 */
public final class ProxyGroups implements NodeGroup<String> {
  public static final String METADATA_KEY = "sluice.gateway";
  public static final String ROLE_KEY = "sluice.role";
  public static final String SERVICE_KEY = "sluice.service";
  public static final String SIDECAR_ROLE = "sidecar";

  @Override
  public String hash(Node node) {
    return group(node);
  }

  public static String group(Node node) {
    if (node.hasMetadata()) {
      if (SIDECAR_ROLE.equals(metadata(node, ROLE_KEY))) {
        String service = metadata(node, SERVICE_KEY);
        // a sidecar that does not say its service gets a group no policy produces: it is sent
        // nothing (and shows at /proxies) rather than some gateway's config
        return SidecarSpec.group(service == null ? "" : service);
      }
      String gateway = metadata(node, METADATA_KEY);
      if (gateway != null) {
        return gateway;
      }
    }
    return node.getCluster();
  }

  /** A non-empty string value of the node's metadata, or null. */
  private static String metadata(Node node, String key) {
    var v = node.getMetadata().getFieldsMap().get(key);
    return v != null && v.hasStringValue() && !v.getStringValue().isEmpty()
        ? v.getStringValue()
        : null;
  }
}
