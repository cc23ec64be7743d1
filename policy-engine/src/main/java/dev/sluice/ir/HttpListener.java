package dev.sluice.ir;

import dev.sluice.policy.compression.CompressionSpec;
import dev.sluice.policy.route.grpcjson.GrpcJsonSpec;
import java.util.List;
import java.util.Optional;

/**
 * A plain-HTTP listener and its virtual hosts, in match order.
 *
 * @param cors whether any route or virtual host uses CORS (the listener then needs the CORS filter)
 * @param compression the gateway's response compression
 * @param cache whether any route caches (the listener then needs the cache filter)
 * @param grpcJson the first transcoding route's settings: the listener's (disabled) transcoder
 *     filter needs a valid config; each route enables it with its own
 * @param grpcWeb whether the gateway accepts gRPC-Web
 * @param rateLimit whether any route or virtual host is rate limited (the listener then needs the filter)
 * @param trustedHops proxies in front of the gateway trusted to append to X-Forwarded-For
 * @param auth the authentication and access filters its routes need
 */
public record HttpListener(
    String name, String address, int port, List<VirtualHost> virtualHosts, boolean cors, Optional<CompressionSpec> compression,
    boolean cache, Optional<GrpcJsonSpec> grpcJson, boolean grpcWeb, boolean rateLimit,
    int trustedHops, ListenerAuth auth) {
  public HttpListener {
    virtualHosts = List.copyOf(virtualHosts);
  }

  /** The RDS name: one route table per listener. */
  public String routeConfigName() {
    return name;
  }
}
