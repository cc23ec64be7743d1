package dev.sluice.server.cli;

import dev.sluice.server.render.XdsType;
import picocli.CommandLine.Option;

/** {@code --proxy} and {@code --type}: which part of the rendered configuration to show. */
final class ProxySelectionOptions {
  @Option(
      names = "--proxy",
      paramLabel = "GROUP_OR_NODE",
      description =
          "Only this proxy group (a Gateway name, which is the node cluster of its Envoys), or the group named in an Envoy"
              + " bootstrap file (node.metadata sluice.gateway, else node.cluster). Default: every group.")
  String proxy;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      converter = XdsTypeConverter.class,
      description =
          "Only this type: listeners, routes, clusters, endpoints or secrets. Default: all.")
  XdsType type;
}
