package dev.sluice.policy.gateway;

import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.Source;
import java.util.List;

/**
 * A listener on the edge: the Envoy proxies whose node cluster (or {@code sluice.gateway} node
 * metadata) equals {@code name} get it.
 *
 * @param zone where the gateway's Envoys run; services with {@code zoneFailover} prefer
 *     endpoints in this zone. Empty when not given.
 */
public record GatewaySpec(String name, Source source, String address, int port, List<String> hosts, String zone)
    implements PolicyResource {
  public static final String KIND = "Gateway";

  public GatewaySpec {
    hosts = List.copyOf(hosts);
  }
}
