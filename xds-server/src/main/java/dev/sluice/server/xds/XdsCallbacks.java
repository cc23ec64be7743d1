package dev.sluice.server.xds;

import com.google.protobuf.Value;
import dev.sluice.server.auth.ClientText;
import dev.sluice.server.telemetry.Metrics;
import dev.sluice.server.xds.ProxyRegistry.ProxyState;
import dev.sluice.server.xds.ProxyRegistry.TypeState;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ADS streams report: which node a stream is, what it asked for, was sent, accepted and
 * rejected. Keeps {@link ProxyRegistry} (the admin API's view), the metrics and the propagation
 * tracker up to date. A NACK is logged with the proxy, the resource type, Envoy's error_detail and
 * the policies that produced the rejected resources, and counted; the stream itself makes sure the
 * same config is not sent again. What the client said of itself and Envoy's error are kept as
 * {@link ClientText}, so every view of them is bounded and escaped. Called with the stream's lock
 * held, so per stream in order.
 */
final class XdsCallbacks {
  private static final Logger LOG = LoggerFactory.getLogger(XdsCallbacks.class);
  private final ProxyRegistry registry;
  private final Metrics metrics;

  /** (group, short type, Envoy's error) → the policies behind what the error names. */
  private final Origins origins;

  private final PropagationTracker propagation;

  /** (group, short type, Envoy's error) → the policies behind the rejected resources. */
  interface Origins {
    NackOrigins.Blame of(String group, String shortType, String error);
  }

  XdsCallbacks(
      ProxyRegistry registry, Metrics metrics, Origins origins, PropagationTracker propagation) {
    this.registry = registry;
    this.metrics = metrics;
    this.origins = origins;
    this.propagation = propagation;
  }

  ProxyState opened(long streamId) {
    metrics.increment("sluice_xds_streams_opened_total");
    return registry.open(streamId);
  }

  /**
   * Keeps of the node only what Sluice reads, each value as {@link ClientText}: any client can
   * connect and name itself, and whatever it sends is shown to operators. Envoy's own node also
   * carries its build and every extension it was compiled with (kilobytes), which kept per stream
   * would cost more than the rest of the stream's state.
   */
  void identified(ProxyState p, Node node, String group) {
    Node.Builder kept =
        Node.newBuilder()
            .setId(ClientText.name(node.getId()))
            .setCluster(ClientText.name(node.getCluster()));
    var metadata = node.getMetadata().getFieldsMap();
    for (String key :
        List.of(ProxyGroups.ROLE_KEY, ProxyGroups.METADATA_KEY, ProxyGroups.SERVICE_KEY)) {
      Value v = metadata.get(key);
      if (v != null && v.hasStringValue()) {
        kept.getMetadataBuilder()
            .putFields(
                key,
                Value.newBuilder().setStringValue(ClientText.name(v.getStringValue())).build());
      }
    }
    p.node = kept.build();
    p.nodeId = p.node.getId();
    // policy names come out unchanged, so the bounded group is the one snapshots are kept under
    p.group = ClientText.name(group);
    LOG.info("proxy {} connected (group {}, stream {})", p.nodeId, p.group, p.streamId);
  }

  void requested(ProxyState p, String shortType, Names names, boolean delta) {
    TypeState t = p.type(shortType);
    t.delta = delta;
    t.requested = names;
  }

  // one writer: a stream sends under its own lock
  @SuppressWarnings("NonAtomicVolatileUpdate")
  void sent(ProxyState p, String shortType, String version) {
    TypeState t = p.type(shortType);
    t.lastSentVersion = version;
    t.pushes++;
    metrics.increment("sluice_xds_pushes_total", "type", shortType);
  }

  void acked(ProxyState p, String shortType) {
    has(p, shortType, p.type(shortType).lastSentVersion);
    metrics.increment("sluice_xds_acks_total", "type", shortType);
    if (p.group != null) {
      propagation.acked(p);
    }
  }

  /**
   * The proxy said on a new stream that it has this version, so nothing was sent: as good as an
   * ACK.
   */
  void alreadyHas(ProxyState p, String shortType, String version) {
    if (has(p, shortType, version) && p.group != null) {
      propagation.acked(p);
    }
  }

  /**
   * The proxy has this version of the type: it ACKed it, or it said so itself on a new stream (SotW
   * version_info, delta initial_resource_versions) and nothing had to be sent. A NACK of the type
   * in force until now moves to the history. False when that was known already.
   */
  private boolean has(ProxyState p, String shortType, String version) {
    TypeState t = p.type(shortType);
    if (version == null || (version.equals(t.ackedVersion) && t.rejectedVersion == null)) {
      return false;
    }
    t.ackedVersion = version;
    t.rejectedVersion = null;
    t.lastError = null;
    ProxyRegistry.Nack ended = p.rejecting.remove(shortType);
    if (ended != null) {
      remember(
          p, new ProxyRegistry.PastNack(ended, "version " + version + " accepted", Instant.now()));
      LOG.info(
          "proxy {} (group {}) accepted {} version {}; its NACK of version {} is superseded",
          p.nodeId,
          p.group,
          shortType,
          version,
          ended.version());
    }
    return true;
  }

  // one writer: a stream's requests arrive one at a time
  @SuppressWarnings("NonAtomicVolatileUpdate")
  void nacked(ProxyState p, String type, String errorDetail) {
    String detail = ClientText.message(errorDetail);
    TypeState t = p.type(type);
    String version = t.lastSentVersion;
    t.nacks++;
    t.rejectedVersion = version;
    t.lastError = detail;
    metrics.increment("sluice_xds_nacks_total", "type", type);
    // Resource names are looked for in Envoy's own text (it puts one listener's error per line),
    // only in as much of it as is kept.
    String searched =
        errorDetail.length() > ClientText.MESSAGE_MAX
            ? errorDetail.substring(0, ClientText.MESSAGE_MAX)
            : errorDetail;
    NackOrigins.Blame from =
        p.group == null ? NackOrigins.Blame.NONE : origins.of(p.group, type, searched);
    ProxyRegistry.Nack nack =
        new ProxyRegistry.Nack(type, version, detail, from.policies(), from.oneOf(), Instant.now());
    ProxyRegistry.Nack earlier = p.rejecting.put(type, nack);
    if (earlier != null) {
      remember(p, new ProxyRegistry.PastNack(earlier, "a later NACK", nack.at()));
    }
    LOG.error(
        "NACK: proxy {} (group {}) rejected {} version {}: {}{}; keeping its last accepted config, not re-sending",
        p.nodeId,
        p.group,
        type,
        version,
        detail,
        from.policies().isEmpty()
            ? ""
            : (from.oneOf() ? "; produced by one of " : "; produced by ")
                + String.join(", ", from.policies()));
  }

  private static void remember(ProxyState p, ProxyRegistry.PastNack past) {
    p.nackHistory.addFirst(past);
    while (p.nackHistory.size() > ProxyRegistry.HISTORY) {
      p.nackHistory.pollLast();
    }
  }

  void closed(ProxyState p) {
    registry.close(p.streamId);
    propagation.closed(p);
  }
}
