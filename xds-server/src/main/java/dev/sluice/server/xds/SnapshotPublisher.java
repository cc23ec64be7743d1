package dev.sluice.server.xds;

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
  private final ExecutorService stager = Executors.newSingleThreadExecutor(r -> DaemonThreads.create(r, "sluice-publish"));

  SnapshotPublisher(SimpleCache<String> cache, ProxyRegistry proxies) {
    this.cache = cache;
    this.proxies = proxies;
  }

  /** Publishes the complete desired state: groups not in {@code groups} are emptied. */
  public synchronized void publish(Map<String, XdsResources> groups) {
    Map<String, XdsResources> all = new TreeMap<>(groups);
    for (String known : target.keySet()) {
      all.putIfAbsent(known, XdsResources.EMPTY);
    }
    all.forEach((group, next) -> {
      XdsResources previous = target.put(group, next);
      if (next.equals(previous)) {
        return;
      }
      long gen = generation.merge(group, 1L, Long::sum);
      stager.execute(() -> run(group, gen, next));
    });
  }

  private void run(String group, long gen, XdsResources next) {
    HashedSnapshot prev = current.get(group);
    List<Stage> stages = MakeBeforeBreak.stages(prev == null ? null : prev.source(), next);
    for (Stage stage : stages) {
      if (generation.get(group) != gen) {
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
      if (stage.await() != Await.NOTHING) {
        awaitAccepted(group, snapshot, stage.await());
      }
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
    List<String> claNames = s.endpoints().resources().values().stream().map(ClusterLoadAssignment::getClusterName).toList();
    List<String> routeNames = s.routes().resources().values().stream().map(RouteConfiguration::getName).toList();
    for (ProxyRegistry.ProxyState p : proxies.inGroup(group)) {
      boolean ok = switch (await) {
        case CLUSTERS_AND_ENDPOINTS -> has(p, "Cluster", ResourceType.CLUSTER, s, List.of())
            && has(p, "ClusterLoadAssignment", ResourceType.ENDPOINT, s, claNames);
        case LISTENERS_AND_ROUTES -> has(p, "Listener", ResourceType.LISTENER, s, List.of())
            && has(p, "RouteConfiguration", ResourceType.ROUTE, s, routeNames);
        case NOTHING -> true;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean has(ProxyRegistry.ProxyState p, String type, ResourceType rt, HashedSnapshot s, List<String> mustAsk) {
    ProxyRegistry.TypeState t = p.types.get(type);
    if (t == null) {
      return mustAsk.isEmpty();
    }
    if (!t.delta && !t.requestedNames.containsAll(mustAsk)) {
      return false;
    }
    String version = t.delta ? s.version(rt, List.of()) : s.version(rt, t.requestedNames);
    // A NACK is an answer too: waiting longer would not change it.
    return version.equals(t.ackedVersion) || version.equals(t.rejectedVersion);
  }

  public Map<String, Map<String, String>> versions() {
    Map<String, Map<String, String>> out = new TreeMap<>();
    current.forEach((g, s) -> out.put(g, new TreeMap<>(s.versions())));
    return out;
  }

  /** The policies behind the resources of one type (Cluster, Listener...) in a group's snapshot. */
  List<String> origins(String group, String shortType) {
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
    return new ArrayList<>(s.source().origins().entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .flatMap(e -> e.getValue().stream())
        .distinct()
        .limit(10)
        .toList());
  }

  @Override
  public void close() {
    stager.shutdownNow();
  }
}
