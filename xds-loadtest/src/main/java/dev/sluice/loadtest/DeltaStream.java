package dev.sluice.loadtest;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An incremental (delta) ADS client that subscribes as Envoy does: CDS and LDS as wildcards; EDS
 * and RDS for the names the clusters and listeners it holds point at, subscribing and unsubscribing
 * as they come and go; every response ACKed with its nonce.
 */
final class DeltaStream extends AdsStream<DeltaDiscoveryResponse> {
  private StreamObserver<DeltaDiscoveryRequest> out;
  private boolean nodeSent;

  /** Cluster → its EDS name (clusters that are not EDS are absent); listener → its RDS names. */
  private final Map<String, String> clusterEds = new HashMap<>();

  private final Map<String, List<String>> listenerRds = new HashMap<>();
  private final Set<String> edsSubscribed = new HashSet<>();
  private final Set<String> rdsSubscribed = new HashSet<>();
  private boolean clustersReceived;
  private boolean listenersReceived;

  /** Names received at least once; dropped once the initial config is complete. */
  private Set<String> edsSeen = new HashSet<>();

  private Set<String> rdsSeen = new HashSet<>();

  DeltaStream(Node node, Run run) {
    super(node, run);
  }

  @Override
  synchronized void start(AggregatedDiscoveryServiceStub stub) {
    out = stub.deltaAggregatedResources(this);
    send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.CLUSTER));
    send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.LISTENER));
  }

  @Override
  StreamObserver<?> requests() {
    return out;
  }

  @Override
  public synchronized void onNext(DeltaDiscoveryResponse r) {
    run.received(r.getTypeUrl(), r.getResourcesCount());
    String type = r.getTypeUrl();
    switch (type) {
      case TypeUrls.CLUSTER -> {
        for (Resource res : r.getResourcesList()) {
          run.subscriptions
              .edsName(res.getName(), res.getVersion(), res.getResource())
              .ifPresentOrElse(
                  eds -> clusterEds.put(run.subscriptions.intern(res.getName()), eds),
                  () -> clusterEds.remove(res.getName()));
        }
        r.getRemovedResourcesList().forEach(clusterEds::remove);
        clustersReceived = true;
        resubscribe(TypeUrls.ENDPOINT, edsSubscribed, new HashSet<>(clusterEds.values()));
      }
      case TypeUrls.LISTENER -> {
        for (Resource res : r.getResourcesList()) {
          listenerRds.put(
              run.subscriptions.intern(res.getName()),
              run.subscriptions.rdsNames(res.getName(), res.getVersion(), res.getResource()));
        }
        r.getRemovedResourcesList().forEach(listenerRds::remove);
        listenersReceived = true;
        Set<String> wanted = new HashSet<>();
        listenerRds.values().forEach(wanted::addAll);
        resubscribe(TypeUrls.ROUTE, rdsSubscribed, wanted);
      }
      case TypeUrls.ENDPOINT -> {
        for (Resource res : r.getResourcesList()) {
          if (edsSeen != null) {
            edsSeen.add(res.getName());
          }
          endpoints(res.getName(), res.getResource().getValue());
        }
      }
      case TypeUrls.ROUTE -> {
        if (rdsSeen != null) {
          r.getResourcesList().forEach(res -> rdsSeen.add(res.getName()));
        }
      }
      default -> {}
    }
    send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(type).setResponseNonce(r.getNonce()));
    if (edsSeen != null
        && clustersReceived
        && listenersReceived
        && edsSeen.containsAll(edsSubscribed)
        && rdsSeen.containsAll(rdsSubscribed)) {
      edsSeen = null;
      rdsSeen = null;
      initialComplete();
    }
  }

  /**
   * Subscribes to what is wanted and not yet subscribed, unsubscribes from the rest (before the
   * ACK, as Envoy).
   */
  private void resubscribe(String type, Set<String> subscribed, Set<String> wanted) {
    List<String> add = new ArrayList<>();
    for (String n : wanted) {
      if (!subscribed.contains(n)) {
        add.add(n);
      }
    }
    List<String> drop = new ArrayList<>();
    for (String n : subscribed) {
      if (!wanted.contains(n)) {
        drop.add(n);
      }
    }
    if (add.isEmpty() && drop.isEmpty()) {
      return;
    }
    subscribed.addAll(add);
    drop.forEach(subscribed::remove);
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type)
            .addAllResourceNamesSubscribe(add)
            .addAllResourceNamesUnsubscribe(drop));
  }

  private void send(DeltaDiscoveryRequest.Builder b) {
    if (!nodeSent) {
      b.setNode(node); // set_node_on_first_message_only, as Sluice's bootstraps have it
      nodeSent = true;
    }
    out.onNext(b.build());
  }
}
