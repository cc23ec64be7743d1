package dev.sluice.ir;

import java.util.HashMap;
import java.util.Map;

/**
 * Gives back the previous compile's object for a route or cluster that came out equal this time, so
 * that what a policy change did not touch keeps its identity: the translator then finds its Envoy
 * resources by identity, with nothing hashed or compared (see TranslationMemo). Comparing with the
 * one object of the same key is cheaper than hashing every value into a map.
 *
 * <p>Remembers one compile: {@link #done} forgets what the last one did not produce. Not
 * thread-safe.
 */
final class Interner {
  /** Interns nothing: a one-off compile. */
  static final Interner NONE = new Interner(false);

  private final boolean remembers;
  private Map<String, Object> last = new HashMap<>();
  private Map<String, Object> next = new HashMap<>();

  private Interner(boolean remembers) {
    this.remembers = remembers;
  }

  Interner() {
    this(true);
  }

  HttpRoute route(String gateway, HttpRoute route) {
    return intern("route/" + gateway + "/" + route.name(), route);
  }

  UpstreamCluster cluster(String gateway, UpstreamCluster cluster) {
    return intern("cluster/" + gateway + "/" + cluster.name(), cluster);
  }

  @SuppressWarnings("unchecked")
  private <T> T intern(String key, T value) {
    if (!remembers) {
      return value;
    }
    Object was = last.get(key);
    T out = value.equals(was) ? (T) was : value;
    next.put(key, out);
    return out;
  }

  /** Ends a compile: what it did not produce is forgotten. */
  void done() {
    if (remembers) {
      last = next;
      next = new HashMap<>();
    }
  }
}
