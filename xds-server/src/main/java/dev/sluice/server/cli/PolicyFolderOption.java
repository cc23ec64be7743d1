package dev.sluice.server.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --policies}: the policies a command reads. */
final class PolicyFolderOption {
  @Option(
      names = "--policies",
      required = true,
      paramLabel = "DIR",
      description = "The folder (or file) of policy YAML files.")
  Path folder;
}
