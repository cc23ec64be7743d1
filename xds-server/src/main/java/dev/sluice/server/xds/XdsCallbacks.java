package dev.sluice.server.xds;

import dev.sluice.server.Metrics;
import dev.sluice.server.xds.ProxyRegistry.ProxyState;
import dev.sluice.server.xds.ProxyRegistry.TypeState;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ADS streams report: which node a stream is, what it asked for, was sent, accepted and
 * rejected. Keeps {@link ProxyRegistry} (the admin API's view), the metrics and the propagation
 * tracker up to date. A NACK is logged with the proxy, the resource type, Envoy's error_detail and
 * the policies that produced the rejected resources, and counted; the stream itself makes sure the
 * same config is not sent again. Called with the stream's lock held, so per stream in order.
 */
final class XdsCallbacks {
  private static final Logger LOG = LoggerFactory.getLogger(XdsCallbacks.class);
  private final ProxyRegistry registry;
  private final Metrics metrics;
  /** (group, short type) → policies behind the resources of that type in the group's snapshot. */
  private final Origins origins;
  private final PropagationTracker propagation;

  /** (group, short type, Envoy's error) → the policies behind the rejected resources. */
  interface Origins {
    List<String> of(String group, String shortType, String error);
  }

  XdsCallbacks(ProxyRegistry registry, Metrics metrics, Origins origins, PropagationTracker propagation) {
    this.registry = registry;
    this.metrics = metrics;
    this.origins = origins;
    this.propagation = propagation;
  }

  ProxyState opened(long streamId) {
    metrics.increment("sluice_xds_streams_opened_total");
    return registry.open(streamId);
  }

  void identified(ProxyState p, Node node, String group) {
    // Envoy's node carries its build and every extension it was compiled with (kilobytes); kept
    // per stream that would cost more than the rest of the stream's state.
    p.node = node.toBuilder().clearExtensions().clearClientFeatures().clearUserAgentBuildVersion().build();
    p.nodeId = node.getId();
    p.group = group;
    LOG.info("proxy {} connected (group {}, stream {})", p.nodeId, p.group, p.streamId);
  }

  void requested(ProxyState p, String shortType, Names names, boolean delta) {
    TypeState t = p.type(shortType);
    t.delta = delta;
    t.requested = names;
  }

  void sent(ProxyState p, String shortType, String version) {
    TypeState t = p.type(shortType);
    t.lastSentVersion = version;
    t.pushes++;
    metrics.increment("sluice_xds_pushes_total", "type", shortType);
  }

  void acked(ProxyState p, String shortType) {
    TypeState t = p.type(shortType);
    t.ackedVersion = t.lastSentVersion;
    t.rejectedVersion = null;
    t.lastError = null;
    metrics.increment("sluice_xds_acks_total", "type", shortType);
    if (p.group != null) {
      propagation.acked(p);
    }
  }

  void nacked(ProxyState p, String type, String detail) {
    TypeState t = p.type(type);
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

  void closed(ProxyState p) {
    registry.close(p.streamId);
    propagation.closed(p);
  }
}
