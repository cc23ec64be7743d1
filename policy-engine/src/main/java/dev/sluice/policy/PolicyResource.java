package dev.sluice.policy;

/** What every policy spec has: a kind, a unique name within the kind, and where it was written. */
public interface PolicyResource {
  /** The value of {@code kind:} of the document this spec was read from. */
  String kind();

  String name();

  Source source();

  /** {@code Kind/name}, how findings, logs and the status page name the document. */
  default String label() {
    return kind() + "/" + name();
  }
}
