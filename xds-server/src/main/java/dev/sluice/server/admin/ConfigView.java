package dev.sluice.server.admin;

import dev.sluice.server.render.Renderer;
import dev.sluice.server.xds.ProxyRegistry;
import dev.sluice.xds.XdsResources;
import java.util.Optional;

/**
 * {@code /config/<name>}: the resources a proxy group (or the group of a connected node) should
 * have, as YAML in {@link dev.sluice.server.render.Rendered}'s form, private keys redacted.
 */
final class ConfigView {
  private ConfigView() {}

  static Optional<String> of(AdminView server, String name) {
    var targets = server.targets();
    String group =
        targets.containsKey(name)
            ? name
            : server.proxies().stream()
                .filter(p -> name.equals(p.nodeId()))
                .map(ProxyRegistry.ProxyState::group)
                .findFirst()
                .orElse(null);
    if (group == null || !targets.containsKey(group)) {
      return Optional.empty();
    }
    return Optional.of(yaml(group, targets.get(group)));
  }

  /** The text of {@code sluice render --proxy}, which {@code sluice diff --server} reads back. */
  private static String yaml(String group, XdsResources r) {
    return Renderer.render(group, r).yaml();
  }
}
