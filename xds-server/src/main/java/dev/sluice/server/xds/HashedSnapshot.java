package dev.sluice.server.xds;

import dev.sluice.xds.XdsResources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import java.util.EnumMap;
import java.util.Map;

/**
 * One proxy group's resources as served: per type, content-hash versions and encodings made once
 * (see {@link TypeResources}). A type's version is the hash of the (name, version) pairs asked for.
 * The library's own snapshots use {@code hashCode()} for per-resource versions, which differs
 * between JVMs, and one version string per type, which resends every EDS resource when one changes.
 */
final class HashedSnapshot {
  private final XdsResources source;
  private final Map<ResourceType, TypeResources> types = new EnumMap<>(ResourceType.class);

  HashedSnapshot(XdsResources r) {
    this(r, null);
  }

  /**
   * Shares with {@code previous} (may be null) every resource, and every type, that did not change.
   */
  HashedSnapshot(XdsResources r, HashedSnapshot previous) {
    this.source = r;
    types.put(
        ResourceType.CLUSTER,
        TypeResources.of(ResourceType.CLUSTER, r.clusters(), prev(previous, ResourceType.CLUSTER)));
    types.put(
        ResourceType.ENDPOINT,
        TypeResources.of(
            ResourceType.ENDPOINT, r.endpoints(), prev(previous, ResourceType.ENDPOINT)));
    types.put(
        ResourceType.LISTENER,
        TypeResources.of(
            ResourceType.LISTENER, r.listeners(), prev(previous, ResourceType.LISTENER)));
    types.put(
        ResourceType.ROUTE,
        TypeResources.of(ResourceType.ROUTE, r.routes(), prev(previous, ResourceType.ROUTE)));
    types.put(
        ResourceType.SECRET,
        TypeResources.of(ResourceType.SECRET, r.secrets(), prev(previous, ResourceType.SECRET)));
  }

  private static TypeResources prev(HashedSnapshot previous, ResourceType type) {
    return previous == null ? null : previous.type(type);
  }

  XdsResources source() {
    return source;
  }

  TypeResources type(ResourceType type) {
    return types.get(type);
  }

  String version(ResourceType type, Names names) {
    return types.get(type).version(names);
  }

  /**
   * Per-type versions, for status pages and logs, and to tell whether a stage changes anything:
   * every type must be in it (a rotated certificate changes only the secrets). Versions are
   * truncated hashes: they show that a secret changed, not what it holds.
   */
  Map<String, String> versions() {
    return Map.of(
        "clusters", types.get(ResourceType.CLUSTER).version(),
        "endpoints", types.get(ResourceType.ENDPOINT).version(),
        "listeners", types.get(ResourceType.LISTENER).version(),
        "routes", types.get(ResourceType.ROUTE).version(),
        "secrets", types.get(ResourceType.SECRET).version());
  }
}
