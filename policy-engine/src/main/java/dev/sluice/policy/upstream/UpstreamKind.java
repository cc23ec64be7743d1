package dev.sluice.policy.upstream;

import dev.sluice.policy.CrossCheck;
import dev.sluice.policy.CrossChecks;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.ProxyGroups;
import dev.sluice.policy.Source;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.policy.upstream.UpstreamSpec.CircuitBreaker;
import dev.sluice.policy.upstream.UpstreamSpec.HashOn;
import dev.sluice.policy.upstream.UpstreamSpec.HealthCheck;
import dev.sluice.policy.upstream.UpstreamSpec.LoadBalancer;
import dev.sluice.policy.upstream.UpstreamSpec.OutlierDetection;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 *
 *
 * <pre>
 * kind: Upstream
 * name: users                 # the service
 * protocol: http2             # http1 (default), http2 or grpc
 * connectTimeout: 2s          # default 5s
 * loadBalancer:
 *   algorithm: ring-hash      # round-robin (default), least-request, random, ring-hash, maglev
 *   hashOn: {header: x-user}  # or {cookie: sid, ttl: 1h}, {sourceIp: true}, {query: user}; or a list
 * circuitBreaker: {maxConnections: 100, maxPendingRequests: 50, maxRequests: 200, maxRetries: 3}
 * outlierDetection: {consecutive5xx: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}
 * healthCheck: {http: /healthz, interval: 5s, timeout: 1s, unhealthyThreshold: 3, healthyThreshold: 2}
 * zoneFailover: true          # prefer endpoints in the gateway's zone; others take over when they fail
 * </pre>
 */
public final class UpstreamKind implements PolicyKind<UpstreamSpec> {
  private static final Map<String, LoadBalancer.Algorithm> ALGORITHMS =
      Map.of(
          "round-robin", LoadBalancer.Algorithm.ROUND_ROBIN,
          "least-request", LoadBalancer.Algorithm.LEAST_REQUEST,
          "random", LoadBalancer.Algorithm.RANDOM,
          "ring-hash", LoadBalancer.Algorithm.RING_HASH,
          "maglev", LoadBalancer.Algorithm.MAGLEV);

  @Override
  public String kind() {
    return UpstreamSpec.KIND;
  }

  @Override
  public Class<UpstreamSpec> type() {
    return UpstreamSpec.class;
  }

  /** Every proxy that calls the service, and the service's own sidecars (its local cluster). */
  @Override
  public Set<String> groups(UpstreamSpec spec, PolicySet set) {
    Set<String> out = new TreeSet<>(ProxyGroups.calling(set, spec.name()));
    set.sidecar(spec.name()).ifPresent(s -> out.add(SidecarSpec.group(s.name())));
    return out;
  }

  @Override
  public List<CrossCheck> checks() {
    return List.of((set, declared, d) -> CrossChecks.zoneFailoverWithoutZone(set, d));
  }

  @Override
  public Set<String> fields() {
    return Set.of(
        "kind",
        "name",
        "protocol",
        "connectTimeout",
        "loadBalancer",
        "circuitBreaker",
        "outlierDetection",
        "healthCheck",
        "zoneFailover");
  }

  @Override
  public Optional<UpstreamSpec> read(String name, YamlNode doc, Fields f, Source source) {
    UpstreamSpec.Protocol protocol = UpstreamSpec.Protocol.HTTP1;
    Optional<String> p = f.string(doc.get("protocol"));
    if (p.isPresent()) {
      switch (p.get()) {
        case "http1" -> protocol = UpstreamSpec.Protocol.HTTP1;
        case "http2" -> protocol = UpstreamSpec.Protocol.HTTP2;
        case "grpc" -> protocol = UpstreamSpec.Protocol.GRPC;
        default ->
            f.error(doc.get("protocol"), "expected http1, http2 or grpc, got \"" + p.get() + "\"");
      }
    }
    Optional<Duration> connectTimeout = f.duration(doc.get("connectTimeout"));
    connectTimeout
        .filter(Duration::isZero)
        .ifPresent(d -> f.error(doc.get("connectTimeout"), "must be above 0"));
    return Optional.of(
        new UpstreamSpec(
            name,
            source,
            protocol,
            connectTimeout,
            loadBalancer(doc.get("loadBalancer"), f),
            circuitBreaker(doc.get("circuitBreaker"), f),
            outlierDetection(doc.get("outlierDetection"), f),
            healthCheck(doc.get("healthCheck"), f),
            f.bool(doc.get("zoneFailover")).orElse(false)));
  }

  private static LoadBalancer loadBalancer(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("algorithm", "hashOn"))) {
      return LoadBalancer.DEFAULT;
    }
    LoadBalancer.Algorithm algorithm = LoadBalancer.Algorithm.ROUND_ROBIN;
    Optional<String> a = f.string(n.get("algorithm"));
    if (a.isPresent()) {
      algorithm = ALGORITHMS.get(a.get().toLowerCase(Locale.ROOT));
      if (algorithm == null) {
        f.error(
            n.get("algorithm"),
            "unknown algorithm \""
                + a.get()
                + "\" (round-robin, least-request, random, ring-hash or maglev)");
        algorithm = LoadBalancer.Algorithm.ROUND_ROBIN;
      }
    }
    List<HashOn> hashOn = new ArrayList<>();
    YamlNode h = n.get("hashOn");
    for (YamlNode item :
        h.isArray() ? h.elements() : h.isAbsent() ? List.<YamlNode>of() : List.of(h)) {
      hashOn(item, f).ifPresent(hashOn::add);
    }
    if (!hashOn.isEmpty() && !algorithm.hashes()) {
      f.error(h, "hashOn needs algorithm ring-hash or maglev");
    }
    if (hashOn.isEmpty() && algorithm.hashes()) {
      f.error(
          n.get("algorithm"),
          a.get()
              + " needs hashOn: what to hash (a header, a cookie, the source IP or a query parameter)");
    }
    return new LoadBalancer(algorithm, hashOn);
  }

  private static Optional<HashOn> hashOn(YamlNode n, Fields f) {
    if (!f.object(n, Set.of("header", "cookie", "ttl", "sourceIp", "query"))) {
      return Optional.empty();
    }
    Optional<String> header = f.string(n.get("header"));
    Optional<String> cookie = f.string(n.get("cookie"));
    Optional<String> query = f.string(n.get("query"));
    boolean sourceIp = f.bool(n.get("sourceIp")).orElse(false);
    int given =
        (header.isPresent() ? 1 : 0)
            + (cookie.isPresent() ? 1 : 0)
            + (query.isPresent() ? 1 : 0)
            + (sourceIp ? 1 : 0);
    if (given != 1) {
      f.error(n, "give exactly one of header, cookie, sourceIp: true and query");
      return Optional.empty();
    }
    Optional<Duration> ttl = f.duration(n.get("ttl"));
    if (ttl.isPresent() && cookie.isEmpty()) {
      f.error(n.get("ttl"), "ttl applies to cookie only");
    }
    if (header.isPresent()) {
      return Optional.of(
          new HashOn(HashOn.Kind.HEADER, header.get().toLowerCase(Locale.ROOT), Optional.empty()));
    }
    if (cookie.isPresent()) {
      return Optional.of(new HashOn(HashOn.Kind.COOKIE, cookie.get(), ttl));
    }
    if (query.isPresent()) {
      return Optional.of(new HashOn(HashOn.Kind.QUERY, query.get(), Optional.empty()));
    }
    return Optional.of(new HashOn(HashOn.Kind.SOURCE_IP, "", Optional.empty()));
  }

  private static Optional<CircuitBreaker> circuitBreaker(YamlNode n, Fields f) {
    if (n.isAbsent()
        || !f.object(
            n, Set.of("maxConnections", "maxPendingRequests", "maxRequests", "maxRetries"))) {
      return Optional.empty();
    }
    return Optional.of(
        new CircuitBreaker(
            boxed(f.integer(n.get("maxConnections"), 1, 1_000_000)),
            boxed(f.integer(n.get("maxPendingRequests"), 1, 1_000_000)),
            boxed(f.integer(n.get("maxRequests"), 1, 1_000_000)),
            boxed(f.integer(n.get("maxRetries"), 0, 1_000_000))));
  }

  private static Optional<OutlierDetection> outlierDetection(YamlNode n, Fields f) {
    if (n.isAbsent()
        || !f.object(
            n, Set.of("consecutive5xx", "interval", "baseEjectionTime", "maxEjectionPercent"))) {
      return Optional.empty();
    }
    return Optional.of(
        new OutlierDetection(
            f.integer(n.get("consecutive5xx"), 1, 1000).orElse(5),
            positive(n.get("interval"), f).orElse(Duration.ofSeconds(10)),
            positive(n.get("baseEjectionTime"), f).orElse(Duration.ofSeconds(30)),
            f.integer(n.get("maxEjectionPercent"), 1, 100).orElse(10)));
  }

  private static Optional<HealthCheck> healthCheck(YamlNode n, Fields f) {
    if (n.isAbsent()
        || !f.object(
            n,
            Set.of(
                "http",
                "tcp",
                "expectedStatuses",
                "interval",
                "timeout",
                "unhealthyThreshold",
                "healthyThreshold"))) {
      return Optional.empty();
    }
    Optional<String> path = f.string(n.get("http"));
    path.filter(s -> !s.startsWith("/"))
        .ifPresent(s -> f.error(n.get("http"), "a path starts with '/', got \"" + s + "\""));
    boolean tcp = f.bool(n.get("tcp")).orElse(false);
    if (path.isPresent() == tcp) {
      f.error(n, "give exactly one of http: <path> and tcp: true");
    }
    List<Integer> statuses = new ArrayList<>();
    YamlNode s = n.get("expectedStatuses");
    for (YamlNode c :
        s.isArray() ? s.elements() : s.isAbsent() ? List.<YamlNode>of() : List.of(s)) {
      f.integer(c, 100, 599).ifPresent(statuses::add);
    }
    if (!statuses.isEmpty() && tcp) {
      f.error(s, "expectedStatuses applies to http checks only");
    }
    return Optional.of(
        new HealthCheck(
            path,
            statuses.isEmpty() ? List.of(200) : statuses,
            positive(n.get("interval"), f).orElse(Duration.ofSeconds(5)),
            positive(n.get("timeout"), f).orElse(Duration.ofSeconds(1)),
            f.integer(n.get("unhealthyThreshold"), 1, 100).orElse(3),
            f.integer(n.get("healthyThreshold"), 1, 100).orElse(2)));
  }

  private static Optional<Duration> positive(YamlNode n, Fields f) {
    Optional<Duration> d = f.duration(n);
    if (d.isPresent() && d.get().isZero()) {
      f.error(n, "must be above 0");
      return Optional.empty();
    }
    return d;
  }

  private static Optional<Integer> boxed(OptionalInt i) {
    return i.isPresent() ? Optional.of(i.getAsInt()) : Optional.empty();
  }
}
