package dev.sluice.server.xds;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The resource names a stream asked for, sorted and without repeats, interned: an edge Envoy asks
 * for every cluster's endpoints, and 5,000 of them asking for the same 1,000 names share one
 * instance instead of holding 5,000 copies. Empty means every resource of the type (a wildcard).
 * Equal lists are the same instance, so equality and the snapshot's caches keyed by it are cheap.
 */
final class Names {
  private static final Interner<Names> INTERNED = Interners.newWeakInterner();
  static final Names ALL = INTERNED.intern(new Names(List.of()));

  private final List<String> list;
  private final int hash;

  /** Made on first use, by the interned instance only. */
  private volatile Set<String> set;

  private Names(List<String> sorted) {
    this.list = sorted;
    this.hash = sorted.hashCode();
  }

  static Names of(List<String> names) {
    if (names.isEmpty()) {
      return ALL;
    }
    // Envoy sends its names sorted; sort only when they are not
    List<String> sorted =
        isSortedAndUnique(names) ? List.copyOf(names) : List.copyOf(new TreeSet<>(names));
    return INTERNED.intern(new Names(sorted));
  }

  static Names of(Collection<String> names) {
    return names.isEmpty() ? ALL : INTERNED.intern(new Names(List.copyOf(new TreeSet<>(names))));
  }

  private static boolean isSortedAndUnique(List<String> names) {
    for (int i = 1; i < names.size(); i++) {
      if (names.get(i - 1).compareTo(names.get(i)) >= 0) {
        return false;
      }
    }
    return true;
  }

  boolean isAll() {
    return list.isEmpty();
  }

  List<String> list() {
    return list;
  }

  boolean contains(String name) {
    return set().contains(name);
  }

  boolean containsAll(Collection<String> names) {
    return set().containsAll(names);
  }

  private Set<String> set() {
    Set<String> s = set;
    if (s == null) {
      set = s = Set.copyOf(list);
    }
    return s;
  }

  int size() {
    return list.size();
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Names n && n.hash == hash && n.list.equals(list));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return isAll()
        ? "*"
        : list.size() <= 5 ? list.toString() : list.subList(0, 5) + "… (" + list.size() + ")";
  }
}
