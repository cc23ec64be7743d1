package dev.sluice.server.cli;

/** The exit codes of render, diff and status, for CI pipelines (docs/operations.md lists them). */
final class ExitCodes {
  /** Done; for diff: no change; for status: every proxy has accepted what it was sent. */
  static final int OK = 0;
  /** The policies (or the registry file) have errors; the findings are printed as by validate. */
  static final int INVALID = 1;
  /** Wrong usage, an unknown proxy, or a server or Consul that cannot be reached or refuses. */
  static final int USAGE = 2;
  /** diff: there are changes; status: a proxy is behind or has a NACK. */
  static final int CHANGES = 3;

  private ExitCodes() {}
}
