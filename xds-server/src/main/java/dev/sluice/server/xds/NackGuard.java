package dev.sluice.server.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * Stops NACK loops. On a NACK, java-control-plane opens a new watch at the last version the proxy
 * accepted; the cache sees that it differs from the snapshot and sends the rejected config again at
 * once, forever. This wrapper opens that watch at the rejected version instead (SotW), or with the
 * rejected resource versions marked as known (delta), so the proxy hears from us again only when
 * the config changes.
 *
 * <p>{@link XdsCallbacks} sees the NACK first (callbacks run before the watch is created, on the
 * same thread) and records the rejected version against the request object.
 */
final class NackGuard implements ConfigWatcher {
  private final ConfigWatcher delegate;
  private final Map<DiscoveryRequest, String> rejected = Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<DeltaDiscoveryRequest, Map<String, String>> rejectedDelta =
      Collections.synchronizedMap(new WeakHashMap<>());

  NackGuard(ConfigWatcher delegate) {
    this.delegate = delegate;
  }

  void rejected(DiscoveryRequest nack, String rejectedVersion) {
    rejected.put(nack, rejectedVersion);
  }

  void rejected(DeltaDiscoveryRequest nack, Map<String, String> rejectedResourceVersions) {
    rejectedDelta.put(nack, rejectedResourceVersions);
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    String version = rejected.remove(request.v3Request());
    XdsRequest effective = version == null
        ? request
        : XdsRequest.create(request.v3Request().toBuilder().setVersionInfo(version).build());
    return delegate.createWatch(ads, effective, knownResourceNames, responseConsumer, hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }

  @Override
  public DeltaWatch createDeltaWatch(
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    Map<String, String> rejectedVersions = rejectedDelta.remove(request.v3Request());
    Map<String, String> known = resourceVersions;
    if (rejectedVersions != null) {
      known = new HashMap<>(resourceVersions);
      known.putAll(rejectedVersions);
    }
    return delegate.createDeltaWatch(request, requesterVersion, known, pendingResources, isWildcard,
        responseConsumer, hasClusterChanged);
  }
}
