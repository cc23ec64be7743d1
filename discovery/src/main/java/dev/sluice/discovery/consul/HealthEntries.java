package dev.sluice.discovery.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import dev.sluice.discovery.Health;
import dev.sluice.discovery.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the answer of {@code /v1/health/service/<name>} into instances:
 *
 * <ul>
 *   <li>address: {@code Service.Address}, else {@code Node.Address};
 *   <li>health: the worst of the instance's checks (node checks included, as Consul's own {@code
 *       ?passing} filter does); critical never gets traffic, warning only when configured;
 *   <li>weight: {@code Weights.Passing} or {@code Weights.Warning} for the current health; 0 means
 *       no traffic;
 *   <li>locality: region = the node's datacenter, zone = service meta {@code zone}, else node meta
 *       {@code zone};
 *   <li>id: node name + "/" + service ID (service IDs are unique per node only).
 * </ul>
 *
 * <p>An instance that would get traffic but that Envoy cannot use is dropped, and said so, rather
 * than pushed to Envoy (which would reject the whole update of that service and freeze it): an
 * address that is not an IP address (Consul accepts hostnames; Sluice does not resolve them), a
 * port outside 1–65535, an entry without a service ID or of the wrong shape.
 */
final class HealthEntries {
  static final String ZONE_KEY = "zone";

  private HealthEntries() {}

  /** What one answer gives: the usable instances, and one sentence per instance dropped. */
  record Read(List<ServiceInstance> instances, List<String> dropped) {}

  static List<ServiceInstance> instances(JsonNode entries, boolean includeWarning) {
    return read("", entries, includeWarning).instances();
  }

  static Read read(String service, JsonNode entries, boolean includeWarning) {
    List<ServiceInstance> out = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    service =
        ConsulHttp.shorten(service); // Consul takes any name: printable and short in a log line
    int position = 0;
    for (JsonNode e : entries) {
      position++;
      if (!e.isObject() || !e.path("Service").isObject()) {
        dropped.add(
            "service "
                + service
                + ": entry "
                + position
                + " dropped: not an object with a Service");
        continue;
      }
      JsonNode node = e.path("Node");
      JsonNode svc = e.path("Service");
      Health health = worst(e.path("Checks"));
      if (health == Health.CRITICAL || (health == Health.WARNING && !includeWarning)) {
        continue;
      }
      int weight =
          svc.path("Weights").path(health == Health.PASSING ? "Passing" : "Warning").asInt(1);
      if (weight <= 0) {
        continue;
      }
      String address = svc.path("Address").asText("");
      if (address.isEmpty()) {
        address = node.path("Address").asText("");
      }
      String id = node.path("Node").asText() + "/" + svc.path("ID").asText();
      String problem = problem(svc, address);
      if (problem != null) {
        dropped.add(
            "service " + service + ": instance " + ConsulHttp.shorten(id) + " dropped: " + problem);
        continue;
      }
      Map<String, String> meta = strings(svc.path("Meta"));
      String zone =
          meta.getOrDefault(ZONE_KEY, strings(node.path("Meta")).getOrDefault(ZONE_KEY, ""));
      List<String> tags = new ArrayList<>();
      svc.path("Tags").forEach(t -> tags.add(t.asText()));
      out.add(
          new ServiceInstance(
              id,
              address,
              svc.path("Port").asInt(),
              tags,
              meta,
              health,
              node.path("Datacenter").asText(""),
              zone,
              weight));
    }
    return new Read(out, dropped);
  }

  /** Why Envoy could not use this instance, or null. */
  private static String problem(JsonNode svc, String address) {
    if (!svc.path("ID").isTextual() || svc.path("ID").asText().isEmpty()) {
      return "no service ID";
    }
    JsonNode port = svc.path("Port");
    if (!port.isIntegralNumber() || port.asLong() < 1 || port.asLong() > 65535) {
      return "port "
          + ConsulHttp.shorten(port.isMissingNode() ? "(none)" : port.toString())
          + " is not between 1 and 65535";
    }
    if (address.isEmpty()) {
      return "no address (neither Service.Address nor Node.Address)";
    }
    if (!InetAddresses.isInetAddress(address)) {
      return "address '"
          + ConsulHttp.shorten(address)
          + "' is not an IP address (Sluice does not resolve hostnames)";
    }
    return null;
  }

  private static Health worst(JsonNode checks) {
    Health worst = Health.PASSING;
    for (JsonNode c : checks) {
      Health h =
          switch (c.path("Status").asText("passing")) {
            case "passing" -> Health.PASSING;
            case "warning" -> Health.WARNING;
            default -> Health.CRITICAL; // critical, and maintenance mode
          };
      if (h.compareTo(worst) > 0) { // declared from best to worst
        worst = h;
      }
    }
    return worst;
  }

  private static Map<String, String> strings(JsonNode obj) {
    Map<String, String> out = new TreeMap<>();
    obj.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
    return out;
  }
}
