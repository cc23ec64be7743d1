package dev.sluice.server.xds;

import dev.sluice.server.Metrics;
import dev.sluice.server.xds.ProxyRegistry.ProxyState;
import dev.sluice.server.xds.ProxyRegistry.TypeState;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every ADS stream: which node it is, what it was sent, what it accepted and what it
 * rejected. A NACK is logged with the proxy, the resource type, Envoy's error_detail and the
 * policies that produced the rejected resources, counted, and handed to {@link NackGuard} so the
 * same config is not sent again.
 */
final class XdsCallbacks implements DiscoveryServerCallbacks {
  private static final Logger LOG = LoggerFactory.getLogger(XdsCallbacks.class);
  private final ProxyRegistry registry;
  private final NackGuard guard;
  private final Metrics metrics;
  /** (group, short type) → policies behind the resources of that type in the group's snapshot. */
  private final Origins origins;

  /** (group, short type, Envoy's error) → the policies behind the rejected resources. */
  interface Origins {
    List<String> of(String group, String shortType, String error);
  }
  private final PropagationTracker propagation;

  XdsCallbacks(ProxyRegistry registry, NackGuard guard, Metrics metrics, Origins origins,
      PropagationTracker propagation) {
    this.registry = registry;
    this.guard = guard;
    this.metrics = metrics;
    this.origins = origins;
    this.propagation = propagation;
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    metrics.increment("sluice_xds_streams_opened_total");
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    registry.close(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    registry.close(streamId);
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    ProxyState p = registry.stream(streamId);
    TypeState t = typeOf(p, request, request.hasNode() ? request.getNode() : null, request.getTypeUrl());
    t.requestedNames = List.copyOf(request.getResourceNamesList());
    if (answersLastResponse(t, request.getResponseNonce())) {
      if (request.hasErrorDetail()) {
        guard.rejected(request, t.lastSentVersion);
        nack(p, t, request.getTypeUrl(), request.getErrorDetail().getMessage());
      } else {
        ack(p, t, request.getTypeUrl());
      }
    }
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    ProxyState p = registry.stream(streamId);
    TypeState t = typeOf(p, request, request.hasNode() ? request.getNode() : null, request.getTypeUrl());
    t.delta = true;
    if (answersLastResponse(t, request.getResponseNonce())) {
      if (request.hasErrorDetail()) {
        guard.rejected(request, t.lastSentResourceVersions);
        nack(p, t, request.getTypeUrl(), request.getErrorDetail().getMessage());
      } else {
        ack(p, t, request.getTypeUrl());
      }
    }
  }

  /** Notes who the stream is, gives node-less requests their stream's node back, and returns the type's state. */
  private TypeState typeOf(ProxyState p, Object request, Node node, String typeUrl) {
    if (node != null && p.nodeId == null) {
      p.node = node;
      p.nodeId = node.getId();
      p.group = ProxyGroups.group(node);
      LOG.info("proxy {} connected (group {}, stream {})", p.nodeId, p.group, p.streamId);
    }
    if (node == null && p.node != null) {
      guard.node(request, p.node);
    }
    return p.type(typeUrl);
  }

  /** An ACK or NACK answers the last response; requests with an older or no nonce say nothing. */
  private static boolean answersLastResponse(TypeState t, String nonce) {
    return !nonce.isEmpty() && nonce.equals(t.lastSentNonce);
  }

  private void ack(ProxyState p, TypeState t, String typeUrl) {
    t.ackedVersion = t.lastSentVersion;
    t.rejectedVersion = null;
    t.lastError = null;
    metrics.increment("sluice_xds_acks_total", "type", ProxyRegistry.shortType(typeUrl));
    if (p.group != null) {
      propagation.acked(p.group);
    }
  }

  @Override
  public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    ProxyState p = registry.stream(streamId);
    TypeState t = p.type(response.getTypeUrl());
    t.lastSentNonce = response.getNonce();
    t.lastSentVersion = response.getVersionInfo();
    t.pushes++;
    metrics.increment("sluice_xds_pushes_total", "type", ProxyRegistry.shortType(response.getTypeUrl()));
  }

  @Override
  public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    ProxyState p = registry.stream(streamId);
    TypeState t = p.type(response.getTypeUrl());
    Map<String, String> versions = new HashMap<>();
    for (Resource r : response.getResourcesList()) {
      versions.put(r.getName(), r.getVersion());
    }
    t.lastSentNonce = response.getNonce();
    t.lastSentVersion = response.getSystemVersionInfo();
    t.lastSentResourceVersions = Map.copyOf(versions);
    t.pushes++;
    metrics.increment("sluice_xds_pushes_total", "type", ProxyRegistry.shortType(response.getTypeUrl()));
  }

  private void nack(ProxyState p, TypeState t, String typeUrl, String detail) {
    String type = ProxyRegistry.shortType(typeUrl);
    String version = t.lastSentVersion;
    t.nacks++;
    t.rejectedVersion = version;
    t.lastError = detail;
    metrics.increment("sluice_xds_nacks_total", "type", type);
    List<String> from = p.group == null ? List.of() : origins.of(p.group, type, detail);
    p.nacks.addFirst(new ProxyRegistry.Nack(type, version, detail, from, java.time.Instant.now()));
    while (p.nacks.size() > 10) {
      p.nacks.pollLast();
    }
    LOG.error("NACK: proxy {} (group {}) rejected {} version {}: {}{}; keeping its last accepted config, not re-sending",
        p.nodeId, p.group, type, version, detail, from.isEmpty() ? "" : "; produced by " + String.join(", ", from));
  }
}
