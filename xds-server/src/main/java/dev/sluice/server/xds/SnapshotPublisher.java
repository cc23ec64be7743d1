package dev.sluice.server.xds;

import dev.sluice.core.DaemonThreads;
import dev.sluice.server.telemetry.Metrics;
import dev.sluice.xds.MakeBeforeBreak;
import dev.sluice.xds.MakeBeforeBreak.Await;
import dev.sluice.xds.MakeBeforeBreak.Stage;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one snapshot per proxy group into the cache, in make-before-break stages (see {@link
 * MakeBeforeBreak}): between stages it waits until every connected proxy of the group has accepted
 * the previous one, or until a timeout, so a proxy that is gone cannot stall the others. A group
 * whose content did not change is left alone, so nothing is resent. A newer publish supersedes
 * stages still waiting.
 */
public final class SnapshotPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);
  static final Duration STAGE_TIMEOUT = Duration.ofSeconds(2);

  /** Serves the snapshots, and holds what it serves now. */
  private final AdsServer ads;

  private final ProxyRegistry proxies;

  /** The latest target of each group, reached once its stages are done. */
  private final Map<String, XdsResources> target = new ConcurrentHashMap<>();

  private final Map<String, Long> generation = new ConcurrentHashMap<>();

  /** The id of the newest change published: the config the proxies run, or are being sent. */
  private volatile long published;

  private final PropagationTracker propagation;
  private final Tracer tracer;
  private final Metrics metrics;
  private final ExecutorService stager =
      Executors.newSingleThreadExecutor(r -> DaemonThreads.create(r, "sluice-publish"));

  SnapshotPublisher(
      AdsServer ads,
      ProxyRegistry proxies,
      PropagationTracker propagation,
      Tracer tracer,
      Metrics metrics) {
    this.metrics = metrics;
    this.ads = ads;
    this.proxies = proxies;
    this.propagation = propagation;
    this.tracer = tracer;
  }

  /** Publishes the complete desired state with no change to track (tests). */
  public void publish(Map<String, XdsResources> groups) {
    publish(new PropagationTracker.Change(0, "direct", Instant.now()), groups);
  }

  /** Publishes the complete desired state: groups not in {@code groups} are emptied. */
  public synchronized void publish(
      PropagationTracker.Change change, Map<String, XdsResources> groups) {
    Map<String, XdsResources> all = new TreeMap<>(groups);
    for (String known : target.keySet()) {
      all.putIfAbsent(known, XdsResources.EMPTY);
    }
    List<String> changed = new ArrayList<>();
    all.forEach(
        (group, next) -> {
          XdsResources previous = target.put(group, next);
          if (!next.equals(previous)) {
            changed.add(group);
          }
        });
    propagation.begin(change, changed);
    published = change.id();
    Context parent = Context.current();
    for (String group : changed) {
      XdsResources next = all.get(group);
      long gen = generation.merge(group, 1L, Long::sum);
      stager.execute(parent.wrap(() -> run(change, group, gen, next)));
    }
  }

  private void run(PropagationTracker.Change change, String group, long gen, XdsResources next) {
    Span span =
        tracer
            .spanBuilder("sluice.push")
            .setAttribute("sluice.change.id", change.id())
            .setAttribute("sluice.group", group)
            .startSpan();
    long start = System.nanoTime();
    try (Scope ignored = span.makeCurrent()) {
      stage(change, group, gen, next, span);
      metrics.seconds("sluice_push_seconds", (System.nanoTime() - start) / 1e9, "group", group);
    } finally {
      span.end();
    }
  }

  private void stage(
      PropagationTracker.Change change, String group, long gen, XdsResources next, Span span) {
    HashedSnapshot prev = ads.snapshot(group);
    List<Stage> stages = MakeBeforeBreak.stages(prev == null ? null : prev.source(), next);
    for (Stage stage : stages) {
      if (generation.get(group) != gen) {
        span.addEvent("superseded");
        return; // a newer change took over; it starts from what is in the cache now
      }
      HashedSnapshot snapshot = new HashedSnapshot(stage.resources(), prev);
      if (prev != null && prev.versions().equals(snapshot.versions())) {
        continue;
      }
      ads.setSnapshot(group, snapshot);
      prev = snapshot;
      LOG.info(
          "group {}: snapshot {}{}",
          group,
          snapshot.versions(),
          stage.await() == Await.NOTHING
              ? ""
              : " (stage: waiting for " + stage.await().name().toLowerCase(Locale.ROOT) + ")");
      span.addEvent("stage " + stage.await().name().toLowerCase(Locale.ROOT));
      if (stage.await() != Await.NOTHING) {
        awaitAccepted(group, snapshot, stage.await());
      }
    }
    if (prev != null && generation.get(group) == gen) {
      propagation.snapshotReady(change.id(), group, prev);
    }
  }

  private void awaitAccepted(String group, HashedSnapshot snapshot, Await await) {
    long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (accepted(group, snapshot, await)) {
        return;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.warn(
        "group {}: not every proxy confirmed the {} stage within {} ms; going on",
        group,
        await.name().toLowerCase(Locale.ROOT),
        STAGE_TIMEOUT.toMillis());
  }

  /**
   * True when every connected proxy of the group has answered (ACK or NACK) the stage's resources
   * of the awaited types.
   */
  private boolean accepted(String group, HashedSnapshot s, Await await) {
    for (ProxyRegistry.ProxyState p : proxies.inGroup(group)) {
      // A NACK is an answer too: waiting longer would not change it.
      boolean ok =
          switch (await) {
            case CLUSTERS_AND_ENDPOINTS ->
                Acks.type(p, ResourceType.CLUSTER, s, false, true)
                    && Acks.type(p, ResourceType.ENDPOINT, s, true, true);
            case LISTENERS_AND_ROUTES ->
                Acks.type(p, ResourceType.LISTENER, s, false, true)
                    && Acks.type(p, ResourceType.ROUTE, s, true, true);
            case NOTHING -> true;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether the proxy has accepted everything its group's current snapshot holds. */
  public boolean inSync(ProxyRegistry.ProxyState p) {
    return state(p).state() == ProxySync.State.IN_SYNC;
  }

  /** The proxy's state against its group's current snapshot. */
  public ProxySync state(ProxyRegistry.ProxyState p) {
    return ProxySync.of(p, p.group == null ? null : ads.snapshot(p.group));
  }

  /** The id of the newest change published (0 before the first, or when published without one). */
  public long publishedChange() {
    return published;
  }

  /** The latest desired resources of each group (what its proxies should have once staged). */
  public Map<String, XdsResources> targets() {
    return new TreeMap<>(target);
  }

  public Map<String, Map<String, String>> versions() {
    Map<String, Map<String, String>> out = new TreeMap<>();
    ads.snapshots().forEach((g, s) -> out.put(g, new TreeMap<>(s.versions())));
    return out;
  }

  @Override
  public void close() {
    stager.shutdownNow();
  }
}
