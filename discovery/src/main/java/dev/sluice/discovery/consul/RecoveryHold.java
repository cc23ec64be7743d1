package dev.sluice.discovery.consul;

import dev.sluice.discovery.ServiceInstance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What Sluice does when Consul comes back smaller than it left — a restarted dev agent comes back
 * empty, a restored snapshot can be old: for a grace period after Consul returns (after an outage
 * or when its index went backwards), instances that are no longer listed are kept, so Envoy keeps
 * sending to them until their services re-register or the grace ends. Outside that window a
 * deregistration applies at once. Health changes of listed instances always apply at once.
 *
 * <p>Not thread-safe: used under the source's lock.
 */
final class RecoveryHold {
  private Instant until = Instant.MIN;

  /** service → instance id → instance kept although Consul no longer lists it. */
  private final Map<String, Map<String, ServiceInstance>> held = new TreeMap<>();

  void startGrace(Instant until) {
    if (until.isAfter(this.until)) {
      this.until = until;
    }
  }

  boolean inGrace(Instant now) {
    return now.isBefore(until);
  }

  Instant graceEnd() {
    return until;
  }

  int heldCount() {
    return held.values().stream().mapToInt(Map::size).sum();
  }

  /**
   * The catalog to publish: what Consul lists, plus what was published before and has vanished,
   * while in grace. When the grace is over, everything held is dropped.
   */
  Map<String, List<ServiceInstance>> apply(
      Map<String, List<ServiceInstance>> previous,
      Map<String, List<ServiceInstance>> observed,
      Instant now) {
    if (!inGrace(now)) {
      held.clear();
      return copy(observed);
    }
    Map<String, Map<String, ServiceInstance>> nextHeld = new TreeMap<>();
    for (var e : previous.entrySet()) {
      Set<String> listed = new HashSet<>();
      observed.getOrDefault(e.getKey(), List.of()).forEach(i -> listed.add(i.id()));
      for (ServiceInstance i : e.getValue()) {
        if (!listed.contains(i.id())) {
          nextHeld.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).put(i.id(), i);
        }
      }
    }
    held.clear();
    held.putAll(nextHeld);
    Map<String, List<ServiceInstance>> out = new HashMap<>();
    observed.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
    held.forEach(
        (service, byId) ->
            out.computeIfAbsent(service, k -> new ArrayList<>()).addAll(byId.values()));
    return copy(out);
  }

  /** A snapshot the caller may keep: later changes to {@code observed} must not reach it. */
  private static Map<String, List<ServiceInstance>> copy(Map<String, List<ServiceInstance>> m) {
    Map<String, List<ServiceInstance>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(out);
  }
}
