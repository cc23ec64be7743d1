package dev.sluice.policy.gateway;

import dev.sluice.policy.Names;
import dev.sluice.policy.compression.Compression;
import dev.sluice.policy.cors.Cors;
import dev.sluice.policy.ratelimit.RateLimits;
import dev.sluice.policy.tls.Tls;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.Source;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * <pre>
 * kind: Gateway
 * name: edge          # Envoy nodes with cluster "edge" serve it
 * port: 8080
 * address: 0.0.0.0    # default
 * hosts: ["*"]        # default; the host names its routes answer to
 * zone: us-east-1a    # where its Envoys run (for Upstream zoneFailover)
 * cors: {allowOrigins: [https://app.example.com]}   # see cors.Cors
 * compression: {algorithms: [brotli, gzip]}        # see compression.Compression
 * grpcWeb: true       # browsers may call gRPC services with gRPC-Web
 * tls: {certificate: certs/edge.pem, key: certs/edge-key.pem}   # see tls.Tls
 * </pre>
 */
public final class GatewayKind implements PolicyKind<GatewaySpec> {
  @Override
  public String kind() {
    return GatewaySpec.KIND;
  }

  @Override
  public Set<String> fields() {
    return Set.of("kind", "name", "port", "address", "hosts", "zone", "cors", "compression", "grpcWeb", "rateLimit", "tls");
  }

  @Override
  public Optional<GatewaySpec> read(String name, YamlNode doc, Fields f, Source source) {
    YamlNode portNode = doc.get("port");
    if (portNode.isAbsent()) {
      f.error(portNode, "required field is missing");
    }
    var port = f.integer(portNode, 1, 65535);
    String address = f.string(doc.get("address")).orElse("0.0.0.0");
    List<String> hosts = Names.hosts(doc.get("hosts"), f);
    if (port.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new GatewaySpec(name, source, address, port.getAsInt(), hosts.isEmpty() ? List.of("*") : hosts,
        f.string(doc.get("zone")).orElse(""), Cors.read(doc.get("cors"), f), Compression.read(doc.get("compression"), f),
        f.bool(doc.get("grpcWeb")).orElse(false), RateLimits.read(doc.get("rateLimit"), f),
        Tls.read(doc.get("tls"), f)));
  }
}
