package dev.sluice.server.config;

import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.PolicySet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What a change came from, for the changes list and the log: the policy documents added, changed or
 * removed (with their files), or the services whose instances changed. At most {@value #SHOWN} are
 * named, then how many more, so a change to 3,000 routes stays one short line.
 */
final class ChangeSources {
  static final int SHOWN = 10;

  private ChangeSources() {}

  static List<String> policies(PolicySet before, PolicySet after) {
    Map<String, PolicyResource> old = byLabel(before);
    Map<String, PolicyResource> now = byLabel(after);
    List<String> out = new ArrayList<>();
    now.forEach(
        (label, r) -> {
          PolicyResource was = old.get(label);
          if (was == null) {
            out.add(label + " added (" + r.source().file() + ")");
          } else if (!was.equals(r)) {
            out.add(label + " changed (" + r.source().file() + ")");
          }
        });
    old.forEach(
        (label, r) -> {
          if (!now.containsKey(label)) {
            out.add(label + " removed (" + r.source().file() + ")");
          }
        });
    return bounded(out);
  }

  static List<String> catalog(ServiceCatalog before, ServiceCatalog after) {
    TreeSet<String> names = new TreeSet<>(before.services().keySet());
    names.addAll(after.services().keySet());
    List<String> out = new ArrayList<>();
    for (String name : names) {
      Service was = before.services().get(name);
      Service now = after.services().get(name);
      if (!Objects.equals(was, now)) {
        out.add(
            "service " + name + (was == null ? " added" : now == null ? " removed" : " changed"));
      }
    }
    return bounded(out);
  }

  private static Map<String, PolicyResource> byLabel(PolicySet set) {
    Map<String, PolicyResource> out = new LinkedHashMap<>();
    set.all().forEach(r -> out.putIfAbsent(r.label(), r));
    return out;
  }

  private static List<String> bounded(List<String> all) {
    if (all.size() <= SHOWN) {
      return List.copyOf(all);
    }
    List<String> out = new ArrayList<>(all.subList(0, SHOWN));
    out.add("and " + (all.size() - SHOWN) + " more");
    return List.copyOf(out);
  }
}
