package dev.sluice.server.cli;

import picocli.CommandLine.Option;

/** {@code --registry} for the offline commands, which read the registry once. */
final class RegistryOption {
  @Option(
      names = "--registry",
      paramLabel = "FILE|consul://host:port",
      description = {
        "The registry: a services.yaml file, or Consul read once: consul://host:port or consul+https://host:port,"
            + " with optional ?token-file=F&dc=D&ca-file=F&cert-file=F&key-file=F (the token defaults to CONSUL_HTTP_TOKEN).",
        "Default: services.yaml next to the policy folder."
      })
  String location;
}
