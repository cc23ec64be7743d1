package dev.sluice.policy;

import dev.sluice.yaml.Diagnostics;
import java.util.Map;
import java.util.Set;

/**
 * A check that needs more than one document: a route against its gateway, a key against every
 * consumer, a sidecar's upstreams against the other sidecars. It runs on the whole set after every
 * document is read, and reports to the load's diagnostics.
 */
@FunctionalInterface
public interface CrossCheck {
  /**
   * @param declared the names written for each kind, valid or not, so that a document with its own
   *     error does not also turn every reference to it into a second finding
   */
  void check(PolicySet set, Declared declared, Diagnostics d);

  /** The names written for each kind, read or not. */
  record Declared(Map<String, Set<String>> byKind) {
    public Declared {
      byKind = Map.copyOf(byKind);
    }

    public Set<String> names(String kind) {
      return byKind.getOrDefault(kind, Set.of());
    }
  }
}
