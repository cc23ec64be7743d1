package dev.sluice.server.xds;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An incremental (delta) ADS stream. Per type it sends what differs between the snapshot and what
 * the proxy has — changed resources and the names of removed ones — with at most one response
 * waiting for its ACK. What the proxy has is kept as a reference to the {@link TypeResources} it
 * last accepted, plus a small map of exceptions; never as a copy of every name and version.
 *
 * <p>On a new stream the proxy says what it already has ({@code initial_resource_versions}, e.g.
 * after the control plane restarted): resources it has at the snapshot's version are not sent
 * again, and those it has that no longer exist are removed, so a removal made while Sluice was down
 * reaches the proxy (java-control-plane's own server ignores the field).
 *
 * <p>A NACK marks the rejected versions as known, so they are not sent again until they change.
 * Clusters and listeners are wildcard subscriptions (as in java-control-plane); other types follow
 * the names subscribed and unsubscribed.
 */
final class DeltaStream extends AdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  /** In {@link Type#exceptions}: the proxy does not have the resource. */
  private static final String NONE = "";

  private final Map<ResourceType, Type> types = new EnumMap<>(ResourceType.class);

  private static final class Type {
    final boolean wildcard;

    /** Explicit subscriptions (ignored for wildcard types). */
    Names subscribed = Names.ALL;

    /** The proxy has these resources (those it subscribes to), except for {@link #exceptions}. */
    TypeResources known;

    /** Name → the version the proxy has, or {@link #NONE}; null when there are no exceptions. */
    Map<String, String> exceptions;

    /**
     * Names to send whatever the proxy is thought to have (it just subscribed to them); null when
     * none.
     */
    Set<String> forced;

    String sentNonce;
    TypeResources sentFrom;

    /**
     * The resources of that response (shared entries: no per-stream copy of names and versions).
     */
    List<TypeResources.Entry> sent;

    /**
     * What the proxy has is what it said on opening the stream ({@code initial_resource_versions}),
     * not yet what it was sent: if nothing needs sending, it has the snapshot without an ACK.
     */
    boolean asReported = true;

    Type(boolean wildcard) {
      this.wildcard = wildcard;
    }

    boolean subscribes(String name) {
      return wildcard || subscribed.contains(name);
    }

    /** The version the proxy has of a resource it subscribes to, or NONE. */
    String has(String name) {
      if (exceptions != null) {
        String v = exceptions.get(name);
        if (v != null) {
          return v;
        }
      }
      TypeResources.Entry e = known == null ? null : known.get(name);
      return e == null ? NONE : e.version;
    }

    void except(String name, String version) {
      if (exceptions == null) {
        exceptions = new HashMap<>();
      }
      exceptions.put(name, version);
    }

    void force(String name) {
      if (forced == null) {
        forced = new HashSet<>();
      }
      forced.add(name);
    }

    boolean isForced(String name) {
      return forced != null && forced.contains(name);
    }
  }

  DeltaStream(AdsServer server, StreamObserver<DeltaDiscoveryResponse> responses) {
    super(server, responses);
  }

  @Override
  String typeUrl(DeltaDiscoveryRequest r) {
    return r.getTypeUrl();
  }

  @Override
  Node node(DeltaDiscoveryRequest r) {
    return r.getNode();
  }

  @Override
  void request(ResourceType rt, DeltaDiscoveryRequest r) {
    Type t = types.get(rt);
    Map<String, String> initial = Map.of();
    if (t == null) {
      t = new Type(rt == ResourceType.CLUSTER || rt == ResourceType.LISTENER);
      types.put(rt, t);
      // What the proxy kept from an earlier stream. Unlike java-control-plane, believe it: what
      // it has at the current version is not sent again, what it has that is gone is removed.
      initial = r.getInitialResourceVersionsMap();
      initial.forEach(t::except);
    }
    subscriptions(
        t,
        r.getResourceNamesSubscribeList(),
        r.getResourceNamesUnsubscribeList(),
        initial.keySet());
    server.callbacks.requested(proxy, shortType(rt), t.wildcard ? Names.ALL : t.subscribed, true);
    String nonce = r.getResponseNonce();
    if (!nonce.isEmpty()) {
      server.budget.answered(this);
    }
    if (!nonce.isEmpty() && nonce.equals(t.sentNonce)) {
      t.asReported = false;
      if (r.hasErrorDetail()) {
        // as if the proxy had them: not sent again until they change
        for (TypeResources.Entry e : t.sent) {
          t.except(e.name, e.version);
        }
        server.callbacks.nacked(proxy, shortType(rt), r.getErrorDetail().getMessage());
      } else {
        // the response held every difference, so the proxy now has exactly what it was built from
        t.known = t.sentFrom;
        t.exceptions = null;
        server.callbacks.acked(proxy, shortType(rt));
      }
      t.sentNonce = null;
      t.sentFrom = null;
      t.sent = null;
    }
  }

  /**
   * Applies (un)subscriptions; a name subscribed to is sent even if thought known, unless the proxy
   * just said it has it.
   */
  private static void subscriptions(
      Type t, List<String> subscribe, List<String> unsubscribe, Set<String> had) {
    if (subscribe.isEmpty() && unsubscribe.isEmpty()) {
      return;
    }
    for (String n : unsubscribe) {
      if (t.forced != null) {
        t.forced.remove(n);
      }
      if (t.wildcard) {
        t.except(n, NONE); // the proxy dropped it: send it again with the next change
      } else if (t.exceptions != null) {
        t.exceptions.remove(n);
      }
    }
    for (String n : subscribe) {
      if (!n.equals("*") && !had.contains(n)) {
        t.force(n);
      }
    }
    if (!t.wildcard) {
      Set<String> names = new HashSet<>(t.subscribed.list());
      names.removeAll(unsubscribe);
      names.addAll(subscribe);
      t.subscribed = Names.of(names);
    }
  }

  @Override
  boolean respond(ResourceType rt, HashedSnapshot snapshot) {
    Type t = types.get(rt);
    if (t == null || t.sentNonce != null) {
      return true;
    }
    TypeResources resources = snapshot.type(rt);
    boolean exact = t.exceptions == null && (t.forced == null || t.forced.isEmpty());
    if (exact && t.known == resources) {
      return true;
    }
    if (!mayWrite()) {
      return false; // before the work below: a stream waiting for a slot may be pumped many times
    }
    List<TypeResources.Entry> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    if (exact) {
      // the proxy has exactly `known`: what changed since is the same for every such stream,
      // computed once
      TypeResources.Diff diff = resources.since(t.known);
      diff.changed().stream().filter(e -> t.subscribes(e.name)).forEach(changed::add);
      diff.removed().stream().filter(t::subscribes).forEach(removed::add);
    } else {
      differences(t, resources, changed, removed);
    }
    if (changed.isEmpty() && removed.isEmpty()) {
      t.known = resources; // it has what the snapshot has
      t.exceptions = null;
      if (t.asReported) {
        server.callbacks.alreadyHas(proxy, shortType(rt), resources.version());
      }
      return true;
    }
    String nonce = nextNonce();
    List<Resource> out = new ArrayList<>(changed.size());
    for (TypeResources.Entry e : changed) {
      out.add(e.deltaResource());
      if (t.forced != null) {
        t.forced.remove(e.name);
      }
    }
    if (t.forced != null && t.forced.isEmpty()) {
      t.forced =
          null; // an emptied set keeps its table: 8 KiB per stream after subscribing to 1,000 names
    }
    t.sentNonce = nonce;
    t.sentFrom = resources;
    t.sent = changed;
    server.callbacks.sent(proxy, shortType(rt), resources.version());
    send(
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(typeUrl(rt))
            .setSystemVersionInfo(resources.version())
            .setNonce(nonce)
            .addAllResources(out)
            .addAllRemovedResources(removed)
            .build());
    return true;
  }

  /** The slow path, name by name: after a reconnect, a NACK or a new subscription. */
  private static void differences(
      Type t, TypeResources resources, List<TypeResources.Entry> changed, List<String> removed) {
    Iterable<String> candidates = t.wildcard ? resources.names() : t.subscribed.list();
    for (String n : candidates) {
      TypeResources.Entry e = resources.get(n);
      if (e != null && (t.isForced(n) || !e.version.equals(t.has(n)))) {
        changed.add(e);
      }
    }
    Set<String> gone = new TreeSet<>();
    if (t.known != null) {
      for (String n : t.known.names()) {
        if (!resources.names().contains(n) && t.subscribes(n) && !NONE.equals(t.has(n))) {
          gone.add(n);
        }
      }
    }
    if (t.exceptions != null) {
      t.exceptions.forEach(
          (n, v) -> {
            if (!v.equals(NONE) && !resources.names().contains(n) && t.subscribes(n)) {
              gone.add(n);
            }
          });
    }
    removed.addAll(gone);
  }
}
