package dev.sluice.server.xds;

import dev.sluice.server.telemetry.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows each change (a new catalog or policy set) from the moment Sluice saw it until every
 * connected proxy it affects has accepted the result: per proxy the time of its ACK, per change the
 * time until the last one ({@code sluice_propagation_seconds}). Keeps the latest {@value #KEPT}
 * changes for the admin API and the status page.
 */
public final class PropagationTracker {
  private static final Logger LOG = LoggerFactory.getLogger(PropagationTracker.class);
  static final int KEPT = 50;
  private final ProxyRegistry proxies;
  private final Metrics metrics;
  private final Deque<Progress> recent = new ArrayDeque<>();

  /**
   * A change as the pipeline saw it: what caused it, when, and what it came from.
   *
   * @param sources the policy documents or services it changed, a short bounded list
   */
  public record Change(long id, String cause, Instant detectedAt, List<String> sources) {
    public Change {
      sources = List.copyOf(sources);
    }

    public Change(long id, String cause, Instant detectedAt) {
      this(id, cause, detectedAt, List.of());
    }
  }

  /** Where a change stands in one proxy group. */
  public enum GroupState {
    /** Its snapshots are still being staged. */
    PUSHING,
    /** The final snapshot is in the cache; waiting for the group's proxies to accept it. */
    WAITING,
    /** Every connected proxy of the group accepted it. */
    ACCEPTED,
    /**
     * No proxy of the group was connected when its snapshot was ready (or all left before
     * accepting): nothing confirmed it, and it counts in no propagation time. Proxies that connect
     * later get it whole.
     */
    NO_PROXY,
    /** A newer change replaced it before it was accepted. */
    SUPERSEDED
  }

  /**
   * What the admin API shows of a change.
   *
   * @param acceptedAfter per proxy node, how long after the change it accepted
   * @param completedAfter how long until every affected proxy accepted; empty while waiting
   */
  public record ChangeView(
      long id,
      String cause,
      Instant detectedAt,
      List<String> sources,
      Map<String, GroupState> groups,
      Map<String, Duration> acceptedAfter,
      Optional<Duration> completedAfter) {}

  private static final class Progress {
    final Change change;
    final Map<String, GroupState> groups = new TreeMap<>();
    final Map<String, HashedSnapshot> snapshots = new LinkedHashMap<>();

    /**
     * Per group: the streams that were connected when its snapshot was ready and have not accepted
     * it yet.
     */
    final Map<String, Set<ProxyRegistry.ProxyState>> waiting = new HashMap<>();

    /** The groups in which at least one proxy accepted the change. */
    final Set<String> acceptedIn = new HashSet<>();

    final Map<String, Duration> acceptedAfter = new TreeMap<>();
    Duration completedAfter;

    Progress(Change change) {
      this.change = change;
    }
  }

  PropagationTracker(ProxyRegistry proxies, Metrics metrics) {
    this.proxies = proxies;
    this.metrics = metrics;
  }

  /** A change reaches the publisher; {@code groups} are those whose resources it changes. */
  synchronized void begin(Change change, List<String> groups) {
    Progress p = new Progress(change);
    for (String g : groups) {
      p.groups.put(g, GroupState.PUSHING);
      for (Progress older : recent) {
        if (older.groups.get(g) == GroupState.PUSHING
            || older.groups.get(g) == GroupState.WAITING) {
          older.groups.put(g, GroupState.SUPERSEDED);
          older.waiting.remove(g);
          older.snapshots.remove(g);
          complete(older);
        }
      }
    }
    recent.addFirst(p);
    while (recent.size() > KEPT) {
      recent.removeLast();
    }
    complete(p);
  }

  /**
   * The last stage of a change is in the cache for a group: from now on, its proxies' ACKs count.
   */
  synchronized void snapshotReady(long changeId, String group, HashedSnapshot snapshot) {
    find(changeId)
        .filter(p -> p.groups.get(group) == GroupState.PUSHING)
        .ifPresent(
            p -> {
              p.groups.put(group, GroupState.WAITING);
              p.snapshots.put(group, snapshot);
              Set<ProxyRegistry.ProxyState> waiting = new HashSet<>();
              for (ProxyRegistry.ProxyState proxy : proxies.inGroup(group)) {
                if (!accepted(p, proxy, snapshot)) {
                  waiting.add(proxy);
                }
              }
              p.waiting.put(group, waiting);
              groupDone(p, group);
            });
  }

  /**
   * A proxy ACKed something: it may have caught up with a change. Only this proxy is looked at
   * (looking at every proxy of the group on every ACK made a change to 5,000 proxies quadratic).
   */
  synchronized void acked(ProxyRegistry.ProxyState proxy) {
    for (Progress p : recent) {
      Set<ProxyRegistry.ProxyState> waiting = p.waiting.get(proxy.group);
      if (waiting != null
          && waiting.contains(proxy)
          && accepted(p, proxy, p.snapshots.get(proxy.group))) {
        waiting.remove(proxy);
        groupDone(p, proxy.group);
      }
    }
  }

  /** A stream closed: a change no longer waits for it. */
  synchronized void closed(ProxyRegistry.ProxyState proxy) {
    for (Progress p : recent) {
      Set<ProxyRegistry.ProxyState> waiting = p.waiting.get(proxy.group);
      if (waiting != null && waiting.remove(proxy)) {
        groupDone(p, proxy.group);
      }
    }
  }

  private boolean accepted(Progress p, ProxyRegistry.ProxyState proxy, HashedSnapshot s) {
    if (!Acks.acceptedAll(proxy, s)) {
      return false;
    }
    Duration after = Duration.between(p.change.detectedAt(), Instant.now());
    p.acceptedAfter.put(proxy.nodeId, after);
    p.acceptedIn.add(proxy.group);
    proxy.lastChange = new ProxyRegistry.ChangeAck(p.change.id(), after);
    return true;
  }

  private void groupDone(Progress p, String group) {
    if (p.waiting.get(group).isEmpty()) {
      p.waiting.remove(group);
      p.snapshots.remove(group); // the kept changes must not keep whole configurations alive
      p.groups.put(group, p.acceptedIn.contains(group) ? GroupState.ACCEPTED : GroupState.NO_PROXY);
      complete(p);
    }
  }

  private void complete(Progress p) {
    if (p.completedAfter != null
        || p.groups.values().stream()
            .anyMatch(s -> s == GroupState.PUSHING || s == GroupState.WAITING)) {
      return;
    }
    p.completedAfter = Duration.between(p.change.detectedAt(), Instant.now());
    if (p.groups.containsValue(GroupState.ACCEPTED)) {
      metrics.seconds(
          "sluice_propagation_seconds",
          p.completedAfter.toNanos() / 1e9,
          "cause",
          p.change.cause());
    }
    log(p);
  }

  /**
   * One line per change once it has settled: what it came from, where it went, how long it took.
   */
  private static void log(Progress p) {
    if (p.groups.isEmpty() || p.change.id() == 0) {
      return;
    }
    Map<GroupState, List<String>> byState = new TreeMap<>();
    p.groups.forEach((g, s) -> byState.computeIfAbsent(s, k -> new ArrayList<>()).add(g));
    List<String> parts = new ArrayList<>();
    if (byState.containsKey(GroupState.ACCEPTED)) {
      parts.add(
          "accepted by every connected proxy of "
              + String.join(", ", byState.get(GroupState.ACCEPTED))
              + " within "
              + p.completedAfter.toMillis()
              + " ms");
    }
    if (byState.containsKey(GroupState.NO_PROXY)) {
      parts.add("no proxy connected: " + String.join(", ", byState.get(GroupState.NO_PROXY)));
    }
    if (byState.containsKey(GroupState.SUPERSEDED)) {
      parts.add(
          "superseded before it was accepted: "
              + String.join(", ", byState.get(GroupState.SUPERSEDED)));
    }
    LOG.info(
        "change #{} ({}{}): {}",
        p.change.id(),
        p.change.cause(),
        p.change.sources().isEmpty() ? "" : ": " + String.join(", ", p.change.sources()),
        String.join("; ", parts));
  }

  private Optional<Progress> find(long id) {
    return recent.stream().filter(p -> p.change.id() == id).findFirst();
  }

  /** The latest changes, newest first. */
  public synchronized List<ChangeView> recent() {
    List<ChangeView> out = new ArrayList<>();
    for (Progress p : recent) {
      out.add(
          new ChangeView(
              p.change.id(),
              p.change.cause(),
              p.change.detectedAt(),
              p.change.sources(),
              Map.copyOf(p.groups),
              Map.copyOf(p.acceptedAfter),
              Optional.ofNullable(p.completedAfter)));
    }
    return out;
  }
}
