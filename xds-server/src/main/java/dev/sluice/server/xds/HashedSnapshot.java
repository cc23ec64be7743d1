package dev.sluice.server.xds;

import com.google.protobuf.Message;
import dev.sluice.xds.ContentHash;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A snapshot whose versions are content hashes: each resource's version is the hash of its
 * encoding, and a type's version is the hash of the (name, version) pairs asked for. The library's
 * own factories use {@code hashCode()} for per-resource versions, which differs between JVMs, and
 * one version string per type, which resends every EDS resource when one changes.
 */
final class HashedSnapshot extends Snapshot {
  private final XdsResources source;
  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets;

  HashedSnapshot(XdsResources r) {
    this.source = r;
    this.clusters = hashed(r.clusters());
    this.endpoints = hashed(r.endpoints());
    this.listeners = hashed(r.listeners());
    this.routes = hashed(r.routes());
    this.secrets = hashed(r.secrets());
  }

  XdsResources source() {
    return source;
  }

  private static <T extends Message> SnapshotResources<T> hashed(List<T> resources) {
    SortedMap<String, String> versions = new TreeMap<>();
    List<VersionedResource<T>> versioned = new ArrayList<>();
    for (T r : resources) {
      String v = ContentHash.of(r);
      versions.put(Resources.getResourceName(r), v);
      versioned.add(VersionedResource.create(r, v));
    }
    String all = ContentHash.ofVersions(versions);
    return SnapshotResources.create(versioned, names -> {
      if (names.isEmpty()) {
        return all;
      }
      SortedMap<String, String> asked = new TreeMap<>();
      for (String n : names) {
        asked.put(n, versions.getOrDefault(n, ""));
      }
      return ContentHash.ofVersions(asked);
    });
  }

  /**
   * Per-type versions, for status pages and logs, and to tell whether a stage changes anything:
   * every type must be in it (a rotated certificate changes only the secrets). Versions are
   * truncated hashes: they show that a secret changed, not what it holds.
   */
  Map<String, String> versions() {
    return Map.of(
        "clusters", clusters.version(),
        "endpoints", endpoints.version(),
        "listeners", listeners.version(),
        "routes", routes.version(),
        "secrets", secrets.version());
  }

  @Override
  @SuppressWarnings("rawtypes")
  // Raw on purpose: the library's base and v3 classes declare incompatible generic return types
  // for this method (VersionedResource<? extends Message> vs VersionedResource<?>), and only the
  // raw type overrides both.
  public Map versionedResources(Resources.ResourceType type) {
    return switch (type) {
      case CLUSTER -> clusters.versionedResources();
      case ENDPOINT -> endpoints.versionedResources();
      case LISTENER -> listeners.versionedResources();
      case ROUTE -> routes.versionedResources();
      case SECRET -> secrets.versionedResources();
    };
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes;
  }

  @Override
  public SnapshotResources<Secret> secrets() {
    return secrets;
  }
}
