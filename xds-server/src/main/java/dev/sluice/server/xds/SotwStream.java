package dev.sluice.server.xds;

import com.google.protobuf.Any;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A state-of-the-world ADS stream. Per type it answers a request (the first one, an ACK or a NACK)
 * once the snapshot's version for the requested names differs from the version the proxy has —
 * after a NACK, from the version it rejected, so a rejected config is not sent again until the
 * config changes (the library's NACK loop). As in java-control-plane: a request for names not all
 * in the snapshot waits (ADS), and the endpoints are sent again after the clusters changed.
 *
 * <p>Clusters and listeners go whole, as the protocol requires. Endpoints and route tables go as
 * the protocol allows for them: only those that differ from what the proxy accepted last, so one
 * changed endpoint sends one ClusterLoadAssignment, not all of them.
 */
final class SotwStream extends AdsStream<DiscoveryRequest, DiscoveryResponse> {
  private final Map<ResourceType, Type> types = new EnumMap<>(ResourceType.class);

  /**
   * Clusters were sent since the last endpoints. Envoy re-creates updated clusters and asks for
   * their endpoints again, with the version it has: that request is answered anyway, whole, as
   * java-control-plane does.
   */
  private boolean clustersChanged;

  /**
   * One type on this stream: the open request, the response waiting for its ACK, and what the proxy
   * accepted.
   */
  private static final class Type {
    Names names = Names.ALL;

    /** A request came since the last response: it may be answered. */
    boolean open;

    /**
     * That request is for endpoints after a clusters change: answer it even at the same version.
     */
    boolean again;

    String proxyVersion = "";
    String rejectedVersion;
    String sentNonce;
    String sentVersion;
    TypeResources sentFrom;
    Names sentNames;
    TypeResources acceptedFrom;
    Names acceptedNames;
  }

  SotwStream(AdsServer server, StreamObserver<DiscoveryResponse> responses) {
    super(server, responses);
  }

  @Override
  String typeUrl(DiscoveryRequest r) {
    return r.getTypeUrl();
  }

  @Override
  Node node(DiscoveryRequest r) {
    return r.getNode();
  }

  @Override
  void request(ResourceType rt, DiscoveryRequest r) {
    Type t = types.computeIfAbsent(rt, k -> new Type());
    String nonce = r.getResponseNonce();
    if (!nonce.isEmpty()) {
      server.budget.answered(this);
    }
    if (t.sentNonce != null && !nonce.equals(t.sentNonce)) {
      return; // about an older response (or none): a newer request is on its way
    }
    t.names = Names.of(r.getResourceNamesList());
    server.callbacks.requested(proxy, shortType(rt), t.names, false);
    if (t.sentNonce != null) {
      if (r.hasErrorDetail()) {
        t.rejectedVersion = t.sentVersion;
        server.callbacks.nacked(proxy, shortType(rt), r.getErrorDetail().getMessage());
      } else {
        t.acceptedFrom = t.sentFrom;
        t.acceptedNames = t.sentNames;
        t.rejectedVersion = null;
        server.callbacks.acked(proxy, shortType(rt));
      }
    }
    t.proxyVersion = r.getVersionInfo();
    t.open = true;
    t.again = rt == ResourceType.ENDPOINT && clustersChanged;
  }

  // names are interned: the same names are the same instance
  @SuppressWarnings("ReferenceEquality")
  @Override
  boolean respond(ResourceType rt, HashedSnapshot snapshot) {
    Type t = types.get(rt);
    if (t == null || !t.open) {
      return true;
    }
    TypeResources resources = snapshot.type(rt);
    String version = resources.version(t.names);
    // After a NACK the proxy is taken to have what it rejected (as NackGuard made the library do):
    // nothing until the config changes, and then the new config even if it is the one the proxy
    // still runs, so that its ACK shows it in sync again.
    String has = t.rejectedVersion != null ? t.rejectedVersion : t.proxyVersion;
    if (!t.again && version.equals(has)) {
      if (t.rejectedVersion == null) {
        // what it asked with is what it has: after a restart of Sluice, nothing to send and no ACK
        // to come
        server.callbacks.alreadyHas(proxy, shortType(rt), version);
      }
      return true;
    }
    if (!resources.hasAll(t.names)) {
      return true; // ADS: wait until every name asked for exists
    }
    if (!mayWrite()) {
      return false;
    }
    List<Any> any;
    if (t.names.isAll() || t.again || !partial(rt) || t.acceptedFrom == null) {
      any = resources.encoded(t.names);
    } else {
      any = new ArrayList<>();
      for (TypeResources.Entry e : resources.since(t.acceptedFrom).changed()) {
        if (t.names.contains(e.name) && t.acceptedNames.contains(e.name)) {
          any.add(e.any());
        }
      }
      if (t.names != t.acceptedNames) { // interned: the same names are the same instance
        for (String n : t.names.list()) {
          if (!t.acceptedNames.contains(n)) {
            any.add(resources.get(n).any());
          }
        }
      }
    }
    String nonce = nextNonce();
    t.open = false;
    t.again = false;
    t.sentNonce = nonce;
    t.sentVersion = version;
    t.sentFrom = resources;
    t.sentNames = t.names;
    if (rt == ResourceType.CLUSTER) {
      clustersChanged = true;
    } else if (rt == ResourceType.ENDPOINT) {
      clustersChanged = false;
    }
    server.callbacks.sent(proxy, shortType(rt), version);
    send(
        DiscoveryResponse.newBuilder()
            .setTypeUrl(typeUrl(rt))
            .setVersionInfo(version)
            .setNonce(nonce)
            .addAllResources(any)
            .build());
    return true;
  }

  /**
   * Types whose SotW responses may hold only what changed: not clusters and listeners (each
   * response is their whole state), nor secrets (few, and a missing one blocks a listener).
   */
  private static boolean partial(ResourceType rt) {
    return rt == ResourceType.ENDPOINT || rt == ResourceType.ROUTE;
  }
}
