package dev.sluice.loadtest;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What all streams of one run share: the change they wait for now, and counters. */
final class Run {
  final Subscriptions subscriptions = new Subscriptions();
  final AtomicInteger initial = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  private volatile Round round;

  /**
   * One change: which cluster gets which endpoint, when it was triggered, how many streams have it,
   * and what arrived since (per type: responses and resources).
   */
  static final class Round {
    final int index;
    final String cluster;
    final String endpoint;
    final long triggeredAt = System.nanoTime();
    final AtomicInteger changed = new AtomicInteger();
    private final Map<String, LongAdder> responses = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> resources = new ConcurrentHashMap<>();

    Round(int index, Options.Change change) {
      this.index = index;
      this.cluster = change.cluster();
      this.endpoint = change.endpoint();
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

    /**
     * "ClusterLoadAssignment: 5000 responses, 5000 resources; ..." for what arrived since the
     * trigger.
     */
    String received() {
      StringBuilder out = new StringBuilder();
      new TreeMap<>(responses)
          .forEach(
              (type, n) -> {
                if (out.length() > 0) {
                  out.append("; ");
                }
                out.append(type)
                    .append(": ")
                    .append(n.sum())
                    .append(" responses, ")
                    .append(resources.get(type).sum())
                    .append(" resources");
              });
      return out.length() == 0 ? "nothing" : out.toString();
    }
  }

  /** Starts a change: from now on streams look for its endpoint. */
  Round begin(int index, Options.Change change) {
    Round r = new Round(index, change);
    round = r;
    return r;
  }

  Round round() {
    return round;
  }

  void received(String typeUrl, int count) {
    Round r = round;
    if (r != null) {
      String type = TypeUrls.shortName(typeUrl);
      r.responses.computeIfAbsent(type, t -> new LongAdder()).increment();
      r.resources.computeIfAbsent(type, t -> new LongAdder()).add(count);
    }
  }
}
