package dev.sluice.policy;

/** What every policy spec has: a kind, a unique name within the kind, and where it was written. */
public interface PolicyResource {
  String name();

  Source source();

  default String label(String kind) {
    return kind + "/" + name();
  }
}
