package dev.sluice.discovery.consul;

import com.fasterxml.jackson.databind.JsonNode;
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
 *   <li>health: the worst of the instance's checks (node checks included, as Consul's own
 *       {@code ?passing} filter does); critical never gets traffic, warning only when configured;
 *   <li>weight: {@code Weights.Passing} or {@code Weights.Warning} for the current health; 0 means
 *       no traffic;
 *   <li>locality: region = the node's datacenter, zone = service meta {@code zone}, else node meta
 *       {@code zone};
 *   <li>id: node name + "/" + service ID (service IDs are unique per node only).
 * </ul>
 */
final class HealthEntries {
  static final String ZONE_KEY = "zone";

  private HealthEntries() {}

  static List<ServiceInstance> instances(JsonNode entries, boolean includeWarning) {
    List<ServiceInstance> out = new ArrayList<>();
    for (JsonNode e : entries) {
      JsonNode node = e.path("Node");
      JsonNode svc = e.path("Service");
      Health health = worst(e.path("Checks"));
      if (health == Health.CRITICAL || (health == Health.WARNING && !includeWarning)) {
        continue;
      }
      int weight = svc.path("Weights").path(health == Health.PASSING ? "Passing" : "Warning").asInt(1);
      if (weight <= 0) {
        continue;
      }
      String address = svc.path("Address").asText("");
      if (address.isEmpty()) {
        address = node.path("Address").asText("");
      }
      Map<String, String> meta = strings(svc.path("Meta"));
      String zone = meta.getOrDefault(ZONE_KEY, strings(node.path("Meta")).getOrDefault(ZONE_KEY, ""));
      List<String> tags = new ArrayList<>();
      svc.path("Tags").forEach(t -> tags.add(t.asText()));
      out.add(new ServiceInstance(
          node.path("Node").asText() + "/" + svc.path("ID").asText(),
          address,
          svc.path("Port").asInt(),
          tags,
          meta,
          health,
          node.path("Datacenter").asText(""),
          zone,
          weight));
    }
    return out;
  }

  private static Health worst(JsonNode checks) {
    Health worst = Health.PASSING;
    for (JsonNode c : checks) {
      Health h = switch (c.path("Status").asText("passing")) {
        case "passing" -> Health.PASSING;
        case "warning" -> Health.WARNING;
        default -> Health.CRITICAL; // critical, and maintenance mode
      };
      if (h.ordinal() > worst.ordinal()) {
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
