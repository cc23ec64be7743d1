package dev.sluice.discovery;

import dev.sluice.core.NameRules;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the file registry ({@code services.yaml}):
 *
 * <pre>
 * services:
 *   users:
 *     - address: 127.0.0.1
 *       port: 9001
 *       tags: [v1]
 *     - 127.0.0.1:9003          # shorthand
 * </pre>
 */
public final class CatalogFileParser {
  private static final Set<String> INSTANCE_FIELDS =
      Set.of("id", "address", "port", "tags", "meta", "health", "zone", "weight");

  private CatalogFileParser() {}

  /** Returns the catalog, or empty with errors in {@code diagnostics}. */
  public static Optional<ServiceCatalog> parse(List<YamlDocument> docs, Diagnostics diagnostics) {
    Map<String, Service> services = new TreeMap<>();
    for (YamlDocument doc : docs) {
      YamlNode root = doc.node();
      Fields f = new Fields(diagnostics, "");
      if (!f.object(root, Set.of("services"))) {
        continue;
      }
      YamlNode list = root.get("services");
      if (list.isAbsent()) {
        continue;
      }
      if (!list.isObject()) {
        f.error(list, "expected a map of service name → instances, got " + list.typeName());
        continue;
      }
      for (var entry : list.fields().entrySet()) {
        String name = entry.getKey();
        Fields sf = new Fields(diagnostics, "Service/" + name);
        if (!NameRules.isName(name)) {
          diagnostics.errorAtKey(
              entry.getValue(),
              sf.resource(),
              "service names are lower-case letters, digits, '-', '_' and '.', at most 63 characters");
          continue;
        }
        if (services.containsKey(name)) {
          diagnostics.errorAtKey(entry.getValue(), sf.resource(), "service is defined twice");
          continue;
        }
        services.put(name, new Service(name, instances(entry.getValue(), sf)));
      }
    }
    return diagnostics.hasErrors() ? Optional.empty() : Optional.of(new ServiceCatalog(services));
  }

  private static List<ServiceInstance> instances(YamlNode node, Fields f) {
    List<ServiceInstance> out = new ArrayList<>();
    if (node.isAbsent()) {
      return out;
    }
    if (!node.isArray()) {
      f.error(node, "expected a list of instances, got " + node.typeName());
      return out;
    }
    Set<String> ids = new HashSet<>();
    for (YamlNode e : node.elements()) {
      ServiceInstance i = e.isScalar() ? shorthand(e, f) : instance(e, f);
      if (i == null) {
        continue;
      }
      if (!ids.add(i.id())) {
        f.error(e, "duplicate instance " + i.id());
        continue;
      }
      out.add(i);
    }
    return out;
  }

  private static ServiceInstance shorthand(YamlNode e, Fields f) {
    String text = e.value().asText();
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      f.error(e, "expected address:port or a map with address and port, got \"" + text + "\"");
      return null;
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return ServiceInstance.of(text.substring(0, colon), port);
    } catch (NumberFormatException ex) {
      f.error(e, "port in \"" + text + "\" is not a number in 1..65535");
      return null;
    }
  }

  private static ServiceInstance instance(YamlNode e, Fields f) {
    if (!f.object(e, INSTANCE_FIELDS)) {
      return null;
    }
    Optional<String> address = f.requiredString(e.get("address"));
    var port = f.integer(e.get("port"), 1, 65535);
    if (e.get("port").isAbsent()) {
      f.error(e.get("port"), "required field is missing");
    }
    Map<String, String> meta = new TreeMap<>();
    YamlNode metaNode = e.get("meta");
    if (!metaNode.isAbsent() && f.object(metaNode, metaNode.fields().keySet())) {
      metaNode.fields().forEach((k, v) -> f.string(v).ifPresent(s -> meta.put(k, s)));
    }
    Health health = Health.PASSING;
    Optional<String> h = f.string(e.get("health"));
    if (h.isPresent()) {
      try {
        health = Health.valueOf(h.get().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ex) {
        f.error(e.get("health"), "expected passing, warning or critical, got \"" + h.get() + "\"");
      }
    }
    var weight = f.integer(e.get("weight"), 1, 128);
    if (address.isEmpty() || port.isEmpty()) {
      return null;
    }
    return new ServiceInstance(
        f.string(e.get("id")).orElse(null),
        address.get(),
        port.getAsInt(),
        f.strings(e.get("tags")),
        meta,
        health,
        "",
        f.string(e.get("zone")).orElse(""),
        weight.orElse(1));
  }
}
