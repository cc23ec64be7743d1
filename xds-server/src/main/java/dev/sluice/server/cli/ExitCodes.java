package dev.sluice.server.cli;

/** The exit codes of render, diff and status, for CI pipelines (docs/operations.md lists them). */
final class ExitCodes {
  /**
   * Done; for diff: no change; for status: every proxy is in sync and the last change was accepted.
   */
  static final int OK = 0;

  /** The policies (or the registry file) have errors; the findings are printed as by validate. */
  static final int INVALID = 1;

  /** Wrong usage, an unknown proxy, or a server or Consul that cannot be reached or refuses. */
  static final int USAGE = 2;

  /** diff: there are changes; status: a proxy is catching up or not configured. */
  static final int CHANGES = 3;

  /** status: the last policy or registry change was refused; the previous config keeps serving. */
  static final int REFUSED = 4;

  /** status: a proxy rejects (NACKs) its config and runs its last accepted one. */
  static final int REJECTED = 5;

  private ExitCodes() {}
}
