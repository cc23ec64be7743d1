package dev.sluice.ir;

import dev.sluice.policy.compression.CompressionSpec;
import java.util.List;
import java.util.Optional;

/**
 * A plain-HTTP listener and its virtual hosts, in match order.
 *
 * @param cors whether any route or virtual host uses CORS (the listener then needs the CORS filter)
 * @param compression the gateway's response compression
 * @param cache whether any route caches (the listener then needs the cache filter)
 */
public record HttpListener(
    String name, String address, int port, List<VirtualHost> virtualHosts, boolean cors, Optional<CompressionSpec> compression,
    boolean cache) {
  public HttpListener {
    virtualHosts = List.copyOf(virtualHosts);
  }

  /** The RDS name: one route table per listener. */
  public String routeConfigName() {
    return name;
  }
}
