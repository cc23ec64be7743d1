package dev.sluice.policy.gateway;

import dev.sluice.policy.CrossCheck;
import dev.sluice.policy.Names;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.SecurityChecks;
import dev.sluice.policy.Source;
import dev.sluice.policy.access.Access;
import dev.sluice.policy.auth.Auth;
import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.compression.Compression;
import dev.sluice.policy.cors.Cors;
import dev.sluice.policy.globalratelimit.GlobalRateLimits;
import dev.sluice.policy.hardening.Hardening;
import dev.sluice.policy.ratelimit.RateLimits;
import dev.sluice.policy.telemetry.Telemetry;
import dev.sluice.policy.telemetry.TelemetryChecks;
import dev.sluice.policy.tls.Tls;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 *
 *
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
 * rateLimit: {requests: 100, per: second, by: clientIp}   # see ratelimit.RateLimits
 * clientIp: {trustedHops: 1}   # proxies in front that are trusted to set X-Forwarded-For (default 0)
 * auth: {jwt: {providers: [auth0]}}   # see auth.Auth
 * access: [{deny: {ips: [203.0.113.0/24]}}]   # see access.Access
 * hardening: {requestTimeout: 15m}   # relaxes one edge default (a warning); see hardening.Hardening
 * tls: {certificate: certs/edge.pem, key: certs/edge-key.pem}   # see tls.Tls
 * telemetry: {accessLog: {}, tracing: {collector: otel:4317}}   # see telemetry.Telemetry
 * </pre>
 */
public final class GatewayKind implements PolicyKind<GatewaySpec> {
  @Override
  public String kind() {
    return GatewaySpec.KIND;
  }

  @Override
  public Class<GatewaySpec> type() {
    return GatewaySpec.class;
  }

  @Override
  public Set<String> groups(GatewaySpec spec, PolicySet set) {
    return Set.of(spec.name());
  }

  @Override
  public List<CrossCheck> checks() {
    return List.of(
        (set, declared, d) -> SecurityChecks.check(set, d),
        (set, declared, d) -> TelemetryChecks.check(set, d));
  }

  @Override
  public Set<String> fields() {
    return Set.of(
        "kind",
        "name",
        "port",
        "address",
        "hosts",
        "zone",
        "cors",
        "compression",
        "grpcWeb",
        "rateLimit",
        "clientIp",
        "auth",
        "access",
        "tls",
        "hardening",
        "telemetry",
        "globalRateLimit");
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
    return Optional.of(
        new GatewaySpec(
            name,
            source,
            new GatewaySpec.Listen(
                address,
                port.getAsInt(),
                hosts.isEmpty() ? List.of("*") : hosts,
                Tls.read(doc.get("tls"), f)),
            f.string(doc.get("zone")).orElse(""),
            new GatewaySpec.Http(
                Cors.read(doc.get("cors"), f),
                Compression.read(doc.get("compression"), f),
                f.bool(doc.get("grpcWeb")).orElse(false)),
            new GatewaySpec.Limits(
                RateLimits.read(doc.get("rateLimit"), f),
                GlobalRateLimits.read(doc.get("globalRateLimit"), f, true)),
            new GatewaySpec.Security(
                trustedHops(doc.get("clientIp"), f),
                gatewayAuth(doc.get("auth"), f),
                Access.read(doc.get("access"), f)),
            Hardening.read(doc.get("hardening"), f),
            Telemetry.read(doc.get("telemetry"), f, name, address, port.getAsInt())));
  }

  private static int trustedHops(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("trustedHops"))) {
      return 0;
    }
    return f.integer(n.get("trustedHops"), 0, 10).orElse(0);
  }

  private static Optional<AuthSpec> gatewayAuth(YamlNode n, Fields f) {
    if (n.isScalar() && "none".equals(n.value().asText())) {
      f.error(
          n, "auth: none is for a Route that opts out of its Gateway's auth; leave auth out here");
      return Optional.empty();
    }
    return Auth.read(n, f);
  }
}
