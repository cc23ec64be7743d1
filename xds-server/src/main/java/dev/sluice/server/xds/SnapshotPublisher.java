package dev.sluice.server.xds;

import dev.sluice.server.Metrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import dev.sluice.discovery.DaemonThreads;
import dev.sluice.xds.MakeBeforeBreak;
import dev.sluice.xds.MakeBeforeBreak.Await;
import dev.sluice.xds.MakeBeforeBreak.Stage;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one snapshot per proxy group into the cache, in make-before-break stages (see
 * {@link MakeBeforeBreak}): between stages it waits until every connected proxy of the group has
 * accepted the previous one, or until a timeout, so a proxy that is gone cannot stall the others.
 * A group whose content did not change is left alone, so nothing is resent. A newer publish
 * supersedes stages still waiting.
 */
public final class SnapshotPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);
  static final Duration STAGE_TIMEOUT = Duration.ofSeconds(2);
  private final SimpleCache<String> cache;
  private final ProxyRegistry proxies;
  /** What is in the cache now. */
  private final Map<String, HashedSnapshot> current = new ConcurrentHashMap<>();
  /** The latest target of each group, reached once its stages are done. */
  private final Map<String, XdsResources> target = new ConcurrentHashMap<>();
  private final Map<String, Long> generation = new ConcurrentHashMap<>();
  private final PropagationTracker propagation;
  private final Tracer tracer;
  private final Metrics metrics;
  private final ExecutorService stager = Executors.newSingleThreadExecutor(r -> DaemonThreads.create(r, "sluice-publish"));

  SnapshotPublisher(
      SimpleCache<String> cache, ProxyRegistry proxies, PropagationTracker propagation, Tracer tracer, Metrics metrics) {
    this.metrics = metrics;
    this.cache = cache;
    this.proxies = proxies;
    this.propagation = propagation;
    this.tracer = tracer;
  }

  /** Publishes the complete desired state with no change to track (tests). */
  public void publish(Map<String, XdsResources> groups) {
    publish(new PropagationTracker.Change(0, "direct", java.time.Instant.now()), groups);
  }

  /** Publishes the complete desired state: groups not in {@code groups} are emptied. */
  public synchronized void publish(PropagationTracker.Change change, Map<String, XdsResources> groups) {
    Map<String, XdsResources> all = new TreeMap<>(groups);
    for (String known : target.keySet()) {
      all.putIfAbsent(known, XdsResources.EMPTY);
    }
    List<String> changed = new ArrayList<>();
    all.forEach((group, next) -> {
      XdsResources previous = target.put(group, next);
      if (!next.equals(previous)) {
        changed.add(group);
      }
    });
    propagation.begin(change, changed);
    Context parent = Context.current();
    for (String group : changed) {
      XdsResources next = all.get(group);
      long gen = generation.merge(group, 1L, Long::sum);
      stager.execute(parent.wrap(() -> run(change, group, gen, next)));
    }
  }

  private void run(PropagationTracker.Change change, String group, long gen, XdsResources next) {
    Span span = tracer.spanBuilder("sluice.push").setAttribute("sluice.change.id", change.id())
        .setAttribute("sluice.group", group).startSpan();
    long start = System.nanoTime();
    try (Scope ignored = span.makeCurrent()) {
      stage(change, group, gen, next, span);
      metrics.seconds("sluice_push_seconds", (System.nanoTime() - start) / 1e9, "group", group);
    } finally {
      span.end();
    }
  }

  private void stage(PropagationTracker.Change change, String group, long gen, XdsResources next, Span span) {
    HashedSnapshot prev = current.get(group);
    List<Stage> stages = MakeBeforeBreak.stages(prev == null ? null : prev.source(), next);
    for (Stage stage : stages) {
      if (generation.get(group) != gen) {
        span.addEvent("superseded");
        return; // a newer change took over; it starts from what is in the cache now
      }
      HashedSnapshot snapshot = new HashedSnapshot(stage.resources());
      if (prev != null && prev.versions().equals(snapshot.versions())) {
        continue;
      }
      current.put(group, snapshot);
      cache.setSnapshot(group, snapshot);
      prev = snapshot;
      LOG.info("group {}: snapshot {}{}", group, snapshot.versions(),
          stage.await() == Await.NOTHING ? "" : " (stage: waiting for " + stage.await().name().toLowerCase() + ")");
      span.addEvent("stage " + stage.await().name().toLowerCase());
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
    LOG.warn("group {}: not every proxy confirmed the {} stage within {} ms; going on", group,
        await.name().toLowerCase(), STAGE_TIMEOUT.toMillis());
  }

  /** True when every connected proxy of the group has answered (ACK or NACK) the stage's resources of the awaited types. */
  private boolean accepted(String group, HashedSnapshot s, Await await) {
    for (ProxyRegistry.ProxyState p : proxies.inGroup(group)) {
      // A NACK is an answer too: waiting longer would not change it.
      boolean ok = switch (await) {
        case CLUSTERS_AND_ENDPOINTS -> Acks.type(p, "Cluster", ResourceType.CLUSTER, s, List.of(), true)
            && Acks.type(p, "ClusterLoadAssignment", ResourceType.ENDPOINT, s, Acks.claNames(s), true);
        case LISTENERS_AND_ROUTES -> Acks.type(p, "Listener", ResourceType.LISTENER, s, List.of(), true)
            && Acks.type(p, "RouteConfiguration", ResourceType.ROUTE, s, Acks.routeNames(s), true);
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
    HashedSnapshot s = p.group == null ? null : current.get(p.group);
    return s != null && Acks.acceptedAll(p, s);
  }

  /** The latest desired resources of each group (what its proxies should have once staged). */
  public Map<String, XdsResources> targets() {
    return new TreeMap<>(target);
  }

  public Map<String, Map<String, String>> versions() {
    Map<String, Map<String, String>> out = new TreeMap<>();
    current.forEach((g, s) -> out.put(g, new TreeMap<>(s.versions())));
    return out;
  }

  /**
   * The policies behind the rejected resources of one type (Cluster, Listener...) in a group's
   * snapshot: those whose resource Envoy's error names, else those of every resource of the type.
   */
  List<String> origins(String group, String shortType, String error) {
    HashedSnapshot s = current.get(group);
    if (s == null) {
      return List.of();
    }
    String prefix = switch (shortType) {
      case "Cluster" -> "cluster/";
      case "ClusterLoadAssignment" -> "endpoint/";
      case "Listener" -> "listener/";
      case "RouteConfiguration" -> "route/";
      case "Secret" -> "secret/";
      default -> "?";
    };
    List<Map.Entry<String, List<String>>> ofType = s.source().origins().entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .toList();
    List<Map.Entry<String, List<String>>> named = ofType.stream()
        .filter(e -> mentions(error, e.getKey().substring(prefix.length())))
        .toList();
    return new ArrayList<>((named.isEmpty() ? ofType : named).stream()
        .flatMap(e -> e.getValue().stream())
        .distinct()
        .limit(10)
        .toList());
  }

  /** Whether Envoy's error text names the resource (as a whole word: "users", not "users-v2"). */
  private static boolean mentions(String error, String name) {
    return error != null && java.util.regex.Pattern.compile("(^|[^A-Za-z0-9_.~-])" + java.util.regex.Pattern.quote(name)
        + "($|[^A-Za-z0-9_.~-])").matcher(error).find();
  }

  @Override
  public void close() {
    stager.shutdownNow();
  }
}
