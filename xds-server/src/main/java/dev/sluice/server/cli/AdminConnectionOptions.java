package dev.sluice.server.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --server} and {@code --token-file}: how a command reaches a running server. */
final class AdminConnectionOptions {
  @Option(
      names = "--server",
      required = true,
      paramLabel = "URL",
      description = "The server's admin API, e.g. http://127.0.0.1:18001.")
  String server;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "A file holding the admin API's bearer token.")
  Path tokenFile;
}
