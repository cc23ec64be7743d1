package dev.sluice.loadtest;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A state-of-the-world ADS client that subscribes as Envoy does: CDS and LDS as wildcards; for the
 * clusters and listeners it gets, EDS and RDS with their names (sent before the CDS/LDS ACK, as
 * Envoy does); every response ACKed with its version and nonce. EDS and RDS responses may hold only
 * some of the subscribed names (the protocol allows it for those types); what was not in a response
 * is unchanged.
 */
final class SotwStream extends AdsStream<DiscoveryResponse> {
  private StreamObserver<DiscoveryRequest> out;
  private boolean nodeSent;
  private final Map<String, String> versions = new HashMap<>();
  private final Map<String, String> nonces = new HashMap<>();
  private List<String> edsNames;
  private List<String> rdsNames;

  /** Names received at least once; dropped once the initial config is complete. */
  private Set<String> edsSeen = new HashSet<>();

  private Set<String> rdsSeen = new HashSet<>();

  SotwStream(Node node, Run run) {
    super(node, run);
  }

  @Override
  synchronized void start(AggregatedDiscoveryServiceStub stub) {
    out = stub.streamAggregatedResources(this);
    request(TypeUrls.CLUSTER, List.of());
    request(TypeUrls.LISTENER, List.of());
  }

  @Override
  StreamObserver<?> requests() {
    return out;
  }

  @Override
  public synchronized void onNext(DiscoveryResponse r) {
    run.received(r.getTypeUrl(), r.getResourcesCount());
    String type = r.getTypeUrl();
    versions.put(type, r.getVersionInfo());
    nonces.put(type, r.getNonce());
    switch (type) {
      case TypeUrls.CLUSTER -> {
        List<String> names = run.subscriptions.edsNames(r.getVersionInfo(), r.getResourcesList());
        if (!names.equals(edsNames)) {
          edsNames = names;
          request(TypeUrls.ENDPOINT, names);
        }
        request(TypeUrls.CLUSTER, List.of());
      }
      case TypeUrls.LISTENER -> {
        List<String> names = run.subscriptions.rdsNames(r.getVersionInfo(), r.getResourcesList());
        if (!names.equals(rdsNames)) {
          rdsNames = names;
          request(TypeUrls.ROUTE, names);
        }
        request(TypeUrls.LISTENER, List.of());
      }
      case TypeUrls.ENDPOINT -> {
        for (Any a : r.getResourcesList()) {
          String name = Subscriptions.encodedName(a.getValue());
          if (edsSeen != null) {
            edsSeen.add(name);
          }
          endpoints(name, a.getValue());
        }
        request(TypeUrls.ENDPOINT, edsNames == null ? List.of() : edsNames);
      }
      case TypeUrls.ROUTE -> {
        if (rdsSeen != null) {
          for (Any a : r.getResourcesList()) {
            rdsSeen.add(Subscriptions.encodedName(a.getValue()));
          }
        }
        request(TypeUrls.ROUTE, rdsNames == null ? List.of() : rdsNames);
      }
      default -> request(type, List.of());
    }
    if (edsSeen != null
        && edsNames != null
        && rdsNames != null
        && edsSeen.containsAll(edsNames)
        && rdsSeen.containsAll(rdsNames)) {
      edsSeen = null;
      rdsSeen = null;
      initialComplete();
    }
  }

  /**
   * A request for the type with the last version and nonce received (an ACK, or a new
   * subscription).
   */
  private void request(String type, List<String> names) {
    DiscoveryRequest.Builder b =
        DiscoveryRequest.newBuilder()
            .setTypeUrl(type)
            .addAllResourceNames(names)
            .setVersionInfo(versions.getOrDefault(type, ""))
            .setResponseNonce(nonces.getOrDefault(type, ""));
    if (!nodeSent) {
      b.setNode(node); // set_node_on_first_message_only, as Sluice's bootstraps have it
      nodeSent = true;
    }
    out.onNext(b.build());
  }
}
