package dev.sluice.server.xds;

import dev.sluice.core.DaemonThreads;
import dev.sluice.server.auth.ProxyAuthenticator;
import dev.sluice.server.telemetry.Metrics;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ADS service, SotW and delta, and the latest snapshot of each proxy group. It replaces
 * java-control-plane's DiscoveryServer and SimpleCache, whose per-stream state copied the names and
 * versions of every resource a stream was sent (140–185 KiB per stream with 1,000 clusters) and
 * which encoded every resource again for every stream, on the thread that set the snapshot. Here a
 * new snapshot is pushed to the group's streams by a few threads; each stream builds its responses
 * from shared, already encoded resources (see {@link AdsStream}).
 */
final class AdsServer extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase
    implements AutoCloseable {
  /** Streams whose responses may sit in the transport at once (see {@link WriteBudget}). */
  static final int WRITE_SLOTS = 64;

  /**
   * Proxy groups that may have streams at once: a claim of one more is refused
   * (docs/operations.md).
   */
  static final int MAX_GROUPS = 10_000;

  /**
   * Streams one connection may have open at once (Envoy opens one ADS stream per connection;
   * scripts/bench-xds-fanout 50).
   */
  static final int MAX_STREAMS_PER_CONNECTION = 100;

  int maxGroups = MAX_GROUPS;
  final XdsCallbacks callbacks;
  final WriteBudget budget;
  final Gatekeeper gatekeeper;
  private final Map<String, HashedSnapshot> snapshots = new ConcurrentHashMap<>();
  private final Map<String, Set<AdsStream<?, ?>>> groups = new ConcurrentHashMap<>();
  private final AtomicLong streamIds = new AtomicLong();
  private final int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
  private final ExecutorService pushers =
      Executors.newFixedThreadPool(threads, r -> DaemonThreads.create(r, "sluice-xds-push"));

  AdsServer(ProxyRegistry proxies, Metrics metrics, PropagationTracker propagation) {
    this(proxies, metrics, propagation, ProxyAuthenticator.OPEN);
  }

  AdsServer(
      ProxyRegistry proxies,
      Metrics metrics,
      PropagationTracker propagation,
      ProxyAuthenticator authenticator) {
    this.gatekeeper = new Gatekeeper(authenticator, metrics);
    this.callbacks =
        new XdsCallbacks(
            proxies,
            metrics,
            (group, type, error) -> NackOrigins.of(snapshot(group), type, error),
            propagation);
    this.budget =
        new WriteBudget(
            WRITE_SLOTS,
            pushers,
            (stream, reason) -> {
              metrics.increment("sluice_xds_slow_streams_dropped_total");
              stream.dropSlow(reason);
            },
            WriteBudget.SLOT_GRACE,
            WriteBudget.STALL_LIMIT);
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
      StreamObserver<DiscoveryResponse> responses) {
    return new SotwStream(this, responses);
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    return new DeltaStream(this, responses);
  }

  long nextStreamId() {
    return streamIds.getAndIncrement();
  }

  HashedSnapshot snapshot(String group) {
    return snapshots.get(group);
  }

  /** The snapshot being served to each group. */
  Map<String, HashedSnapshot> snapshots() {
    return Collections.unmodifiableMap(snapshots);
  }

  /** Makes the snapshot the group's, and has every stream of the group sent what changed for it. */
  void setSnapshot(String group, HashedSnapshot snapshot) {
    snapshots.put(group, snapshot);
    Set<AdsStream<?, ?>> members = groups.get(group);
    if (members == null) {
      return;
    }
    List<AdsStream<?, ?>> all = new ArrayList<>(members);
    // a few chunks per thread: few tasks, yet a thread that finishes early takes another chunk
    int chunk = Math.max(1, all.size() / (threads * 4));
    for (int from = 0; from < all.size(); from += chunk) {
      List<AdsStream<?, ?>> part = all.subList(from, Math.min(all.size(), from + chunk));
      try {
        pushers.execute(() -> part.forEach(AdsStream::pump));
      } catch (RejectedExecutionException e) {
        return; // the server is shutting down
      }
    }
  }

  /**
   * Adds the stream to its group's; false, and nothing kept, when that would make more than {@link
   * #maxGroups} groups. Join and leave change a group's set under the map's lock for that group, so
   * a group is removed with its last stream and never left behind empty.
   */
  boolean join(String group, AdsStream<?, ?> stream) {
    boolean[] joined = {false};
    groups.compute(
        group,
        (g, members) -> {
          if (members == null) {
            if (groups.size() >= maxGroups) {
              return null;
            }
            members = ConcurrentHashMap.newKeySet();
          }
          members.add(stream);
          joined[0] = true;
          return members;
        });
    return joined[0];
  }

  void leave(String group, AdsStream<?, ?> stream) {
    groups.computeIfPresent(
        group,
        (g, members) -> {
          members.remove(stream);
          return members.isEmpty() ? null : members;
        });
  }

  /** Groups with at least one stream. */
  int groupCount() {
    return groups.size();
  }

  @Override
  public void close() {
    gatekeeper.close();
    budget.close();
    pushers.shutdownNow();
  }
}
