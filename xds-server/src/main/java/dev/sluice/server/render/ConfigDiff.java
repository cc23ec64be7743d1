package dev.sluice.server.render;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.LineDiff;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What changes between two rendered configurations, resource by resource: per proxy group and xDS
 * type, the resources added, removed and changed, each with its YAML on both sides. Pure.
 *
 * @param changes sorted by group, type ({@link XdsType} order) and name
 */
public record ConfigDiff(List<Change> changes) {
  public enum Kind {
    ADDED,
    REMOVED,
    CHANGED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One resource that differs.
   *
   * @param oldYaml empty when added
   * @param newYaml empty when removed
   * @param details for a changed route table, which of its routes changed, e.g. {@code route orders
   *     changed}; empty otherwise
   */
  public record Change(
      String group,
      XdsType type,
      String name,
      Kind kind,
      String oldYaml,
      String newYaml,
      List<String> details) {
    public Change {
      details = List.copyOf(details);
    }

    /**
     * The unified diff hunks of the resource's YAML (every line added or removed for a whole
     * resource).
     */
    public String unified() {
      return LineDiff.unified(oldYaml, newYaml);
    }
  }

  public ConfigDiff {
    changes = List.copyOf(changes);
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /**
   * Compares every group present on either side (a group on one side only is all added or all
   * removed) over the given types.
   */
  public static ConfigDiff between(
      Map<String, Rendered> before, Map<String, Rendered> after, Set<XdsType> types) {
    Set<String> groups = new TreeSet<>(before.keySet());
    groups.addAll(after.keySet());
    List<Change> out = new ArrayList<>();
    for (String group : groups) {
      Rendered a = before.getOrDefault(group, new Rendered(group, Map.of()));
      Rendered b = after.getOrDefault(group, new Rendered(group, Map.of()));
      for (XdsType type : XdsType.values()) {
        if (types.contains(type)) {
          compare(group, type, a, b, out);
        }
      }
    }
    return new ConfigDiff(out);
  }

  private static void compare(
      String group, XdsType type, Rendered a, Rendered b, List<Change> out) {
    Set<String> names = new TreeSet<>();
    a.of(type).forEach(r -> names.add(r.name()));
    b.of(type).forEach(r -> names.add(r.name()));
    for (String name : names) {
      Optional<Rendered.Resource> was = a.resource(type, name);
      Optional<Rendered.Resource> is = b.resource(type, name);
      String oldYaml = was.map(Rendered.Resource::yaml).orElse("");
      String newYaml = is.map(Rendered.Resource::yaml).orElse("");
      if (was.isEmpty()) {
        out.add(new Change(group, type, name, Kind.ADDED, oldYaml, newYaml, List.of()));
      } else if (is.isEmpty()) {
        out.add(new Change(group, type, name, Kind.REMOVED, oldYaml, newYaml, List.of()));
      } else if (!oldYaml.equals(newYaml)) {
        List<String> details =
            type == XdsType.ROUTES ? routeChanges(was.get().json(), is.get().json()) : List.of();
        out.add(new Change(group, type, name, Kind.CHANGED, oldYaml, newYaml, details));
      }
    }
  }

  /**
   * Inside a route table: which named routes were added, removed or changed (in any virtual host).
   */
  static List<String> routeChanges(JsonNode before, JsonNode after) {
    Map<String, List<JsonNode>> a = routes(before);
    Map<String, List<JsonNode>> b = routes(after);
    Set<String> names = new TreeSet<>(a.keySet());
    names.addAll(b.keySet());
    List<String> out = new ArrayList<>();
    for (String name : names) {
      if (!a.containsKey(name)) {
        out.add("route " + name + " added");
      } else if (!b.containsKey(name)) {
        out.add("route " + name + " removed");
      } else if (!a.get(name).equals(b.get(name))) {
        out.add("route " + name + " changed");
      }
    }
    return out;
  }

  /** Route name → that route in each virtual host that has it, in order. */
  private static Map<String, List<JsonNode>> routes(JsonNode table) {
    Map<String, List<JsonNode>> out = new LinkedHashMap<>();
    for (JsonNode vhost : table.path("virtual_hosts")) {
      int i = 0;
      for (JsonNode route : vhost.path("routes")) {
        String name = route.path("name").asText("");
        if (name.isEmpty()) {
          name = "#" + i + " of " + vhost.path("name").asText();
        }
        out.computeIfAbsent(name, n -> new ArrayList<>()).add(route);
        i++;
      }
    }
    return out;
  }
}
