package dev.sluice.server.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sluice}: the command-line entry point. */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    version = "sluice 0.1.0",
    description =
        "An xDS control plane: compiles a service registry and YAML policies into Envoy configuration.",
    subcommands = {
      ServeCommand.class,
      ValidateCommand.class,
      RenderCommand.class,
      DiffCommand.class,
      StatusCommand.class,
      HashKeyCommand.class,
      HashKeyCommand.HashPasswordCommand.class,
      RateLimitCommand.class
    })
public final class SluiceCli {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return new CommandLine(new SluiceCli()).execute(args);
  }

  /** Runs with output to {@code out}; for tests and embedding. */
  public static int run(PrintWriter out, String... args) {
    return new CommandLine(new SluiceCli()).setOut(out).setErr(out).execute(args);
  }

  /** Runs with standard output and standard error kept apart; for tests and embedding. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new SluiceCli()).setOut(out).setErr(err).execute(args);
  }
}
