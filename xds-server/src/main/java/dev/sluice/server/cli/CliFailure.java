package dev.sluice.server.cli;

/** Ends a command with a message on standard error and an exit code (see {@link ExitCodes}). */
final class CliFailure extends Exception {
  final int exitCode;

  CliFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  CliFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }
}
