package dev.sluice.loadtest;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What all streams of one run share: the change they wait for, its start, and counters. */
final class Run {
  final Subscriptions subscriptions = new Subscriptions();
  /** The cluster whose endpoint changes, and the endpoint (host:port) it gets; empty: none. */
  private final Optional<String> cluster;
  private final String endpoint;
  /** System.nanoTime() of the trigger; 0 before it. */
  private volatile long triggeredAt;
  final AtomicInteger initial = new AtomicInteger();
  final AtomicInteger changed = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  /** Streams that had the new endpoint before the trigger: a broken setup, reported. */
  final AtomicInteger changedEarly = new AtomicInteger();
  /** Per type: responses and resources received since the trigger. */
  private final Map<String, LongAdder> responsesAfter = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> resourcesAfter = new ConcurrentHashMap<>();

  Run(Optional<Options.Change> change) {
    this.cluster = change.map(Options.Change::cluster);
    this.endpoint = change.map(Options.Change::endpoint).orElse("");
  }

  void trigger() {
    triggeredAt = System.nanoTime();
  }

  long triggeredAt() {
    return triggeredAt;
  }

  boolean watches(String clusterName) {
    return cluster.isPresent() && cluster.get().equals(clusterName);
  }

  /** Whether the assignment holds the expected endpoint. */
  boolean hasNewEndpoint(ClusterLoadAssignment cla) {
    for (LocalityLbEndpoints locality : cla.getEndpointsList()) {
      for (LbEndpoint e : locality.getLbEndpointsList()) {
        var a = e.getEndpoint().getAddress().getSocketAddress();
        if ((a.getAddress() + ":" + a.getPortValue()).equals(endpoint)) {
          return true;
        }
      }
    }
    return false;
  }

  void received(String typeUrl, int resources) {
    if (triggeredAt != 0) {
      String type = TypeUrls.shortName(typeUrl);
      responsesAfter.computeIfAbsent(type, t -> new LongAdder()).increment();
      resourcesAfter.computeIfAbsent(type, t -> new LongAdder()).add(resources);
    }
  }

  /** "ClusterLoadAssignment: 5000 responses, 5000 resources; ..." for what arrived since the trigger. */
  String receivedSinceTrigger() {
    StringBuilder out = new StringBuilder();
    new java.util.TreeMap<>(responsesAfter).forEach((type, n) -> {
      if (out.length() > 0) {
        out.append("; ");
      }
      out.append(type).append(": ").append(n.sum()).append(" responses, ")
          .append(resourcesAfter.get(type).sum()).append(" resources");
    });
    return out.length() == 0 ? "nothing" : out.toString();
  }
}
