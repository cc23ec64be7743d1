package dev.sluice.server.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.sluice.xds.ContentHash;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resources of one type in one snapshot, each with its content-hash version and its encoding,
 * made once and shared by every stream that is sent it (the library encoded every resource again
 * for every stream). An unchanged resource keeps its entry, and so its encoding, from the previous
 * snapshot; an unchanged type keeps the whole object, so "did this type change" is an identity
 * test.
 */
final class TypeResources {
  /**
   * Distinct name lists asked for are few (one per kind of proxy); the bound only guards against a
   * misbehaving client.
   */
  private static final int MAX_CACHED = 256;

  final ResourceType type;
  private final Map<String, Entry> byName;
  private final String version;
  private final Map<Names, Asked> asked = new ConcurrentHashMap<>();
  private volatile List<Any> encodedAll;

  /**
   * What changed from older objects of the same group and type. Weak keys: a diff must not keep the
   * older state alive (each would hold the one before it, the whole history).
   */
  private final Map<TypeResources, Diff> diffs = Collections.synchronizedMap(new WeakHashMap<>());

  /** One resource: its version, and its encodings made on first use. */
  // the getters cache the UTF-8 bytes once, so no stream encodes them again
  @SuppressWarnings("IgnoredPureGetter")
  static final class Entry {
    final String name;
    final Message resource;
    final String version;
    private volatile Any any;
    private volatile Resource deltaResource;

    Entry(String name, Message resource, String version) {
      this.name = name;
      this.resource = resource;
      this.version = version;
    }

    Any any() {
      Any a = any;
      if (a == null) {
        a = Any.pack(resource);
        a.getTypeUrlBytes(); // keeps the UTF-8 form: otherwise every stream's response encodes
        // it again
        any = a;
      }
      return a;
    }

    Resource deltaResource() {
      Resource r = deltaResource;
      if (r == null) {
        r = Resource.newBuilder().setName(name).setVersion(version).setResource(any()).build();
        r.getNameBytes(); // as in any()
        r.getVersionBytes();
        deltaResource = r;
      }
      return r;
    }
  }

  /** From an older state to this one: entries added or with another version, and names gone. */
  record Diff(List<Entry> changed, Set<String> removed) {}

  private TypeResources(ResourceType type, Map<String, Entry> byName) {
    this.type = type;
    this.byName = byName;
    SortedMap<String, String> all = new TreeMap<>();
    byName.forEach((n, e) -> all.put(n, e.version));
    this.version = ContentHash.ofVersions(all);
  }

  /** The resources, reusing what {@code previous} (may be null) has at the same version. */
  static TypeResources of(
      ResourceType type, List<? extends Message> resources, TypeResources previous) {
    // in name order (XdsResources sorts them), for iteration; hashed, for the lookups of every
    // stream
    Map<String, Entry> byName = new LinkedHashMap<>();
    boolean same = previous != null && previous.byName.size() == resources.size();
    for (Message r : resources) {
      String name = Resources.getResourceName(r);
      String version = ContentHash.of(r);
      Entry old = previous == null ? null : previous.byName.get(name);
      if (old != null && old.version.equals(version)) {
        byName.put(name, old);
      } else {
        byName.put(name, new Entry(name, r, version));
        same = false;
      }
    }
    return same ? previous : new TypeResources(type, Collections.unmodifiableMap(byName));
  }

  Entry get(String name) {
    return byName.get(name);
  }

  Collection<Entry> all() {
    return byName.values();
  }

  Set<String> names() {
    return byName.keySet();
  }

  int size() {
    return byName.size();
  }

  /** The version of every resource of the type. */
  String version() {
    return version;
  }

  /**
   * The version of the named resources (a missing one counts as version ""), the version of all of
   * them for {@link Names#ALL}: what a SotW response for those names carries, and what the proxy's
   * ACK must name to have all of them.
   */
  String version(Names names) {
    return names.isAll() ? version : asked(names).version;
  }

  /** Whether every one of the names is here (in ADS, a SotW request is answered only then). */
  boolean hasAll(Names names) {
    return names.isAll() || asked(names).allHere;
  }

  /** Whether the names include every resource here. */
  boolean coveredBy(Names names) {
    return names.isAll() || asked(names).coversAll;
  }

  /**
   * The encoded resources of a whole response for the names (all of them for {@link Names#ALL}), in
   * name order; built once for every stream that asks for the same names.
   */
  List<Any> encoded(Names names) {
    if (names.isAll()) {
      List<Any> all = encodedAll;
      if (all == null) {
        encodedAll = all = byName.values().stream().map(Entry::any).toList();
      }
      return all;
    }
    Asked a = asked(names);
    List<Any> out = a.encoded;
    if (out == null) {
      a.encoded =
          out =
              names.list().stream()
                  .map(byName::get)
                  .filter(Objects::nonNull)
                  .map(Entry::any)
                  .toList();
    }
    return out;
  }

  /**
   * What this state says about one list of names, computed once for every stream that asked for it.
   */
  private static final class Asked {
    final String version;
    final boolean allHere;
    final boolean coversAll;
    volatile List<Any> encoded;

    Asked(String version, boolean allHere, boolean coversAll) {
      this.version = version;
      this.allHere = allHere;
      this.coversAll = coversAll;
    }
  }

  private Asked asked(Names names) {
    Asked a = asked.get(names);
    if (a == null) {
      SortedMap<String, String> versions = new TreeMap<>();
      int here = 0;
      for (String n : names.list()) {
        Entry e = byName.get(n);
        versions.put(n, e == null ? "" : e.version);
        here += e == null ? 0 : 1;
      }
      a = new Asked(ContentHash.ofVersions(versions), here == names.size(), here == byName.size());
      if (asked.size() < MAX_CACHED) {
        asked.put(names, a);
      }
    }
    return a;
  }

  /**
   * What changed since {@code older} (null: everything is new); computed once for all streams that
   * had {@code older}.
   */
  Diff since(TypeResources older) {
    if (older == this) {
      return new Diff(List.of(), Set.of());
    }
    if (older == null) {
      return new Diff(List.copyOf(byName.values()), Set.of());
    }
    return diffs.computeIfAbsent(
        older,
        o -> {
          List<Entry> changed = new ArrayList<>();
          for (Entry e : byName.values()) {
            Entry before = o.byName.get(e.name);
            if (before == null || !before.version.equals(e.version)) {
              changed.add(e);
            }
          }
          Set<String> removed = new TreeSet<>();
          for (String n : o.byName.keySet()) {
            if (!byName.containsKey(n)) {
              removed.add(n);
            }
          }
          return new Diff(List.copyOf(changed), Collections.unmodifiableSet(removed));
        });
  }
}
