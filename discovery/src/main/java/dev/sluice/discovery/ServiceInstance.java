package dev.sluice.discovery;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One reachable instance of a service.
 *
 * @param id unique within the service (defaults to address:port)
 * @param region the locality region (Consul: the datacenter); empty when unknown
 * @param zone the locality zone; empty when unknown
 * @param weight load-balancing weight, at least 1
 */
public record ServiceInstance(
    String id,
    String address,
    int port,
    List<String> tags,
    Map<String, String> meta,
    Health health,
    String region,
    String zone,
    int weight) {

  public ServiceInstance {
    Objects.requireNonNull(address, "address");
    id = id == null || id.isBlank() ? address + ":" + port : id;
    tags = List.copyOf(tags == null ? List.of() : tags);
    meta = Collections.unmodifiableMap(new TreeMap<>(meta == null ? Map.of() : meta));
    health = health == null ? Health.PASSING : health;
    region = region == null ? "" : region;
    zone = zone == null ? "" : zone;
    weight = weight <= 0 ? 1 : weight;
  }

  public static ServiceInstance of(String address, int port) {
    return new ServiceInstance(null, address, port, List.of(), Map.of(), Health.PASSING, "", "", 1);
  }
}
