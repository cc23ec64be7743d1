package dev.sluice.server.admin;

import dev.sluice.server.SluiceServer;
import dev.sluice.server.xds.ProxyRegistry;
import dev.sluice.xds.XdsResources;
import java.util.Optional;

/**
 * {@code /config/<name>}: the resources a proxy group (or the group of a connected node) should
 * have, as YAML, private keys redacted.
 */
final class ConfigView {
  private ConfigView() {}

  static Optional<String> of(SluiceServer server, String name) {
    var targets = server.xds().publisher().targets();
    String group = targets.containsKey(name) ? name
        : server.xds().proxies().connected().stream().filter(p -> name.equals(p.nodeId())).map(ProxyRegistry.ProxyState::group)
            .findFirst().orElse(null);
    if (group == null || !targets.containsKey(group)) {
      return Optional.empty();
    }
    return Optional.of(yaml(group, targets.get(group)));
  }

  private static String yaml(String group, XdsResources r) {
    StringBuilder sb = new StringBuilder();
    sb.append("listeners:\n").append(indent(dev.sluice.xds.XdsYaml.of(r.listeners())));
    sb.append("routes:\n").append(indent(dev.sluice.xds.XdsYaml.of(r.routes())));
    sb.append("clusters:\n").append(indent(dev.sluice.xds.XdsYaml.of(r.clusters())));
    sb.append("endpoints:\n").append(indent(dev.sluice.xds.XdsYaml.of(r.endpoints())));
    sb.append("secrets:\n").append(indent(dev.sluice.xds.XdsYaml.of(r.secrets())));
    return sb.toString();
  }

  private static String indent(String yaml) {
    return yaml.isBlank() ? "" : yaml;
  }
}
