package dev.sluice.xds;

import com.google.protobuf.Message;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.UpstreamCluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The route entries, clusters and endpoint assignments of a group's previous translation, by the IR
 * object each came from: an unchanged one comes back as the same object, neither translated again
 * nor, by the server, hashed and encoded again. A policy change usually touches one route of
 * thousands. Valid because each is a function of its IR value alone: route features read only the
 * {@link HttpRoute}, cluster features and {@link EndpointTranslator} only the {@link
 * UpstreamCluster}. By identity, not equality: the incremental compiler hands back the very objects
 * of what did not change, and hashing thousands of IR values on every change cost more than
 * translating them.
 *
 * <p>Remembers one translation: {@link #done} forgets what the last one did not use. Not
 * thread-safe; one per group.
 */
final class TranslationMemo {
  /** Remembers nothing: a one-off translation. */
  static final TranslationMemo NONE = new TranslationMemo(false);

  private final boolean remembers;

  /**
   * Per kind of message: an IR object may be the source of several (a cluster and its endpoints).
   */
  private Map<Class<?>, Map<Object, Message>> last = new HashMap<>();

  private Map<Class<?>, Map<Object, Message>> next = new HashMap<>();

  private TranslationMemo(boolean remembers) {
    this.remembers = remembers;
  }

  TranslationMemo() {
    this(true);
  }

  Route route(HttpRoute ir, Supplier<Route> translate) {
    return get(Route.class, ir, translate);
  }

  Cluster cluster(UpstreamCluster ir, Supplier<Cluster> translate) {
    return get(Cluster.class, ir, translate);
  }

  ClusterLoadAssignment endpoints(UpstreamCluster ir, Supplier<ClusterLoadAssignment> translate) {
    return get(ClusterLoadAssignment.class, ir, translate);
  }

  @SuppressWarnings("unchecked")
  private <T extends Message> T get(Class<T> type, Object ir, Supplier<T> translate) {
    if (!remembers) {
      return translate.get();
    }
    Map<Object, Message> now = next.computeIfAbsent(type, t -> new IdentityHashMap<>());
    Message m = now.get(ir);
    if (m == null) {
      m = last.getOrDefault(type, Map.of()).get(ir);
      if (m == null) {
        m = translate.get();
      }
      now.put(ir, m);
    }
    return (T) m;
  }

  /** Ends a translation: what it did not use is forgotten. */
  void done() {
    if (remembers) {
      last = next;
      next = new HashMap<>();
    }
  }
}
