package dev.sluice.server.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Fixes two things java-control-plane gets wrong before a watch is created.
 *
 * <p>NACK loops: on a NACK the library opens a new watch at the last version the proxy accepted;
 * the cache sees that it differs from the snapshot and sends the rejected config again at once,
 * forever. This wrapper opens that watch at the rejected version instead (SotW), or with the
 * rejected resource versions marked as known (delta), so the proxy hears from us again only when
 * the config changes.
 *
 * <p>Lost nodes: Envoys with {@code set_node_on_first_message_only} send their node once per
 * stream, but the cache groups every request by its node, so later requests would land in the
 * group "". The node first seen on the stream is put back.
 *
 * <p>{@link XdsCallbacks} sees each request first: the library runs the request callbacks and then
 * creates the watch synchronously on the same thread, so a thread-local note, checked against the
 * identity of the request object, carries what the callbacks learned to {@link #createWatch}.
 */
final class NackGuard implements ConfigWatcher {
  private final ConfigWatcher delegate;
  private final ThreadLocal<Note> note = new ThreadLocal<>();

  private static final class Note {
    final Object request;
    Node node;
    String rejectedVersion;
    Map<String, String> rejectedResources;

    Note(Object request) {
      this.request = request;
    }
  }

  NackGuard(ConfigWatcher delegate) {
    this.delegate = delegate;
  }

  private Note noteFor(Object request) {
    Note n = note.get();
    if (n == null || n.request != request) {
      n = new Note(request);
      note.set(n);
    }
    return n;
  }

  private Note take(Object request) {
    Note n = note.get();
    note.remove();
    return n != null && n.request == request ? n : null;
  }

  /** The node of the stream a node-less request came on. */
  void node(Object request, Node node) {
    noteFor(request).node = node;
  }

  void rejected(DiscoveryRequest nack, String rejectedVersion) {
    noteFor(nack).rejectedVersion = rejectedVersion;
  }

  void rejected(DeltaDiscoveryRequest nack, Map<String, String> rejectedResourceVersions) {
    noteFor(nack).rejectedResources = rejectedResourceVersions;
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    Note n = take(request.v3Request());
    XdsRequest effective = request;
    if (n != null) {
      DiscoveryRequest.Builder b = request.v3Request().toBuilder();
      if (n.rejectedVersion != null) {
        b.setVersionInfo(n.rejectedVersion);
      }
      if (n.node != null) {
        b.setNode(n.node);
      }
      effective = XdsRequest.create(b.build());
    }
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
    Note n = take(request.v3Request());
    Map<String, String> known = resourceVersions;
    DeltaXdsRequest effective = request;
    if (n != null) {
      if (n.rejectedResources != null) {
        known = new HashMap<>(resourceVersions);
        known.putAll(n.rejectedResources);
      }
      if (n.node != null) {
        effective = DeltaXdsRequest.create(request.v3Request().toBuilder().setNode(n.node).build());
      }
    }
    return delegate.createDeltaWatch(effective, requesterVersion, known, pendingResources, isWildcard,
        responseConsumer, hasClusterChanged);
  }
}
