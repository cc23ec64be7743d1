package dev.sluice.ir;

import dev.sluice.discovery.Health;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.route.RouteOptions;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.route.grpcjson.GrpcJsonSpec;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.policy.telemetry.TelemetrySpec;
import dev.sluice.policy.upstream.UpstreamSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Catalog + policies → one {@link ProxyConfig} per gateway and one per Sidecar ({@link
 * SidecarCompiler}). Pure and deterministic: the same input gives equal output, which the golden
 * tests and content-hash versions rely on.
 */
public final class Compiler {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private Compiler() {}

  /** Returns proxy group name → config, sorted by group. */
  public static Map<String, ProxyConfig> compile(ServiceCatalog catalog, PolicySet policies) {
    return compile(plans(policies, Interner.NONE), catalog, policies, Interner.NONE);
  }

  /**
   * Gateway name → its plan; routes equal to the ones {@code interner} remembers are those objects.
   */
  static Map<String, GatewayPlan> plans(PolicySet policies, Interner interner) {
    Map<String, GatewayPlan> plans = new TreeMap<>();
    for (GatewaySpec g : policies.gateways()) {
      plans.put(g.name(), plan(g, policies, interner));
    }
    return plans;
  }

  /**
   * The configs of the gateways whose {@code plans} are given (all of them), and of the sidecars;
   * clusters equal to the ones {@code interner} remembers are those objects.
   */
  static Map<String, ProxyConfig> compile(
      Map<String, GatewayPlan> plans,
      ServiceCatalog catalog,
      PolicySet policies,
      Interner interner) {
    Map<String, ProxyConfig> out = new TreeMap<>();
    for (GatewayPlan plan : plans.values()) {
      String name = plan.gateway().name();
      out.put(
          name,
          gateway(
              plan,
              plan.refs().stream()
                  .map(
                      ref ->
                          interner.cluster(name, cluster(ref, catalog, policies, plan.gateway())))
                  .toList()));
    }
    for (SidecarSpec s : policies.sidecars()) {
      out.put(SidecarSpec.group(s.name()), SidecarCompiler.compile(s, policies, catalog));
    }
    return out;
  }

  /**
   * What a gateway's config takes from the policies alone: everything but its clusters' endpoints.
   * {@link IncrementalCompiler} keeps it while the policies stay the same.
   *
   * @param refs the clusters, in the order the config lists them
   */
  record GatewayPlan(
      GatewaySpec gateway,
      List<HttpListener> listeners,
      List<ClusterRef> refs,
      List<DnsCluster> dnsClusters,
      Optional<MeshClient> meshClient) {}

  static GatewayPlan plan(GatewaySpec g, PolicySet policies, Interner interner) {
    List<RouteSpec> routes = policies.routesOf(g.name());
    // Envoy picks one virtual host per request by domain and never falls back to another, so each
    // host name gets a virtual host holding every route that lists it, in declaration order.
    Map<String, List<HttpRoute>> byDomain = new LinkedHashMap<>();
    boolean cache = routes.stream().anyMatch(r -> r.options().filters().cache());
    TreeSet<ClusterRef> refs = new TreeSet<>();
    AuthCompiler auth = new AuthCompiler(policies, g);
    boolean anyGlobalLimit = false;
    for (RouteSpec r : routes) {
      HttpRoute route =
          interner.route(
              g.name(),
              route(
                  r,
                  policies,
                  g.http().compression().isPresent(),
                  cache,
                  auth.route(r),
                  GlobalLimitCompiler.limits(r, g)));
      anyGlobalLimit |= !route.limits().globalLimits().isEmpty();
      for (String host : r.hosts().isEmpty() ? g.listen().hosts() : r.hosts()) {
        byDomain.computeIfAbsent(host, h -> new ArrayList<>()).add(route);
      }
      r.backends().forEach(b -> refs.add(ClusterRef.of(b)));
      r.options()
          .forwarding()
          .mirrors()
          .forEach(m -> refs.add(new ClusterRef(m.service(), List.of())));
    }
    auth.externalServices().forEach(s -> refs.add(new ClusterRef(s, List.of())));
    List<VirtualHost> vhosts = new ArrayList<>();
    byDomain.forEach((domain, rs) -> vhosts.add(new VirtualHost(domain, List.of(domain), rs)));
    String listenerName = "http-" + g.listen().port();
    Optional<GrpcJsonSpec> grpcJson =
        routes.stream()
            .map(r -> r.options().filters().grpcJson())
            .flatMap(Optional::stream)
            .findFirst();
    HttpListener listener =
        new HttpListener(
            listenerName,
            g.listen().address(),
            g.listen().port(),
            vhosts,
            new HttpListener.Filters(
                g.http().cors(), g.http().compression(), grpcJson, g.http().grpcWeb()),
            new HttpListener.Limits(
                g.limits().rateLimit(), GlobalLimitCompiler.filter(g, anyGlobalLimit)),
            g.security().trustedHops(),
            auth.listener(),
            g.listen().tls(),
            g.hardening(),
            g.telemetry());
    // a service with a Sidecar is reached through it, over mTLS with the gateway's own identity:
    // its application listens on localhost only
    List<MeshClient.Peer> peers =
        refs.stream()
            .filter(ref -> policies.sidecar(ref.service()).isPresent())
            .map(
                ref ->
                    new MeshClient.Peer(
                        ref.name(), ref.service(), policies.mesh().spiffeId(ref.service())))
            .toList();
    Optional<MeshClient> meshClient =
        peers.isEmpty()
            ? Optional.empty()
            : Optional.of(
                new MeshClient(
                    g.name(),
                    policies.mesh().trustDomain(),
                    policies.mesh().spiffeId(g.name()),
                    peers));
    List<DnsCluster> dnsClusters = new ArrayList<>(auth.jwksClusters());
    g.telemetry()
        .flatMap(TelemetrySpec::tracing)
        .ifPresent(
            t ->
                dnsClusters.add(
                    new DnsCluster(
                        DnsCluster.forCollector(t.collectorHost(), t.collectorPort()),
                        t.collectorHost(),
                        t.collectorPort(),
                        false,
                        true)));
    listener
        .limits()
        .globalRateLimit()
        .flatMap(GlobalRateLimitFilter::service)
        .ifPresent(dnsClusters::add);
    return new GatewayPlan(
        g, List.of(listener), List.copyOf(refs), List.copyOf(dnsClusters), meshClient);
  }

  /** A gateway's config: its plan with the clusters of {@code plan.refs()}, in that order. */
  static ProxyConfig gateway(GatewayPlan plan, List<UpstreamCluster> clusters) {
    return new ProxyConfig(
        plan.gateway().name(),
        plan.listeners(),
        clusters,
        plan.dnsClusters(),
        Optional.empty(),
        plan.meshClient());
  }

  /**
   * @param compression whether the gateway compresses (only then can a route opt out)
   * @param cache whether the listener has the cache filter
   */
  private static HttpRoute route(
      RouteSpec r,
      PolicySet policies,
      boolean compression,
      boolean cache,
      RouteAuth auth,
      List<GlobalLimit> globalLimits) {
    RouteMatch match =
        new RouteMatch(
            RouteMatch.PathKind.valueOf(r.path().type().name()),
            r.path().value(),
            r.headers(),
            r.methods(),
            r.options().queries());
    RouteOptions.Filters filters = r.options().filters();
    return new HttpRoute(
        r.name(),
        match,
        action(r, policies),
        r.options().headers(),
        new HttpRoute.Filters(
            filters.cors(),
            filters.compressionOff() && compression,
            cache ? Optional.of(filters.cache()) : Optional.empty(),
            filters.grpcJson()),
        new HttpRoute.Limits(r.options().limits().rateLimit(), globalLimits),
        auth,
        r.label(),
        r.source());
  }

  private static RouteAction action(RouteSpec r, PolicySet policies) {
    RouteOptions o = r.options();
    if (o.redirect().isPresent()) {
      var gateway = policies.gateway(r.gateway());
      return new RouteAction.Redirect(
          gateway
              .map(
                  g ->
                      o.redirect()
                          .get()
                          .keepingPort(g.listen().port(), g.listen().tls().isPresent()))
              .orElse(o.redirect().get()));
    }
    if (o.respond().isPresent()) {
      return new RouteAction.Respond(o.respond().get());
    }
    List<WeightedCluster> clusters =
        r.backends().stream()
            .map(b -> new WeightedCluster(ClusterRef.of(b).name(), b.weight()))
            .toList();
    List<RouteAction.Mirror> mirrors =
        o.forwarding().mirrors().stream()
            .map(m -> new RouteAction.Mirror(m.service(), m.percent()))
            .toList();
    // Envoy reads the hash inputs from the route: take them from the first service that hashes.
    List<UpstreamSpec.HashOn> hashPolicy =
        r.backends().stream()
            .map(b -> policies.upstream(b.service()))
            .flatMap(Optional::stream)
            .filter(u -> u.loadBalancer().algorithm().hashes())
            .findFirst()
            .map(u -> u.loadBalancer().hashOn())
            .orElse(List.of());
    return new RouteAction.Forward(
        clusters,
        r.timeout(),
        o.forwarding().idleTimeout(),
        o.forwarding().retries(),
        o.forwarding().rewrite(),
        mirrors,
        hashPolicy);
  }

  /**
   * A service unknown to the registry still gets a cluster, with no endpoints: 503, not a NACK. A
   * subset (instances carrying all of some tags) is a cluster of its own, as Istio does for
   * subsets: its own endpoints, stats and health. A service with a Sidecar is reached at its
   * sidecars' inbound port.
   */
  static UpstreamCluster cluster(
      ClusterRef ref, ServiceCatalog catalog, PolicySet policies, GatewaySpec g) {
    Optional<UpstreamSpec> upstream = policies.upstream(ref.service());
    // zone failover: the gateway's own zone is priority 0, every other zone priority 1
    boolean failover =
        upstream.map(UpstreamSpec::zoneFailover).orElse(false) && !g.zone().isEmpty();
    List<Endpoint> endpoints = new ArrayList<>();
    for (ServiceInstance i :
        catalog.service(ref.service()).map(Service::instances).orElse(List.of())) {
      if (i.health() != Health.CRITICAL
          && (ref.tags().isEmpty() || i.tags().containsAll(ref.tags()))) {
        endpoints.add(endpoint(i, failover && !i.zone().equals(g.zone()) ? 1 : 0));
      }
    }
    OptionalInt sidecarPort =
        policies
            .sidecar(ref.service())
            .map(s -> OptionalInt.of(s.inboundPort()))
            .orElse(OptionalInt.empty());
    if (sidecarPort.isPresent()) {
      endpoints = atPort(endpoints, sidecarPort.getAsInt());
    }
    return new UpstreamCluster(
        ref.name(),
        ref.service(),
        upstream.flatMap(UpstreamSpec::connectTimeout).orElse(CONNECT_TIMEOUT),
        endpoints,
        upstream);
  }

  /**
   * The same instances reached at their sidecars' inbound port (the registered port is the
   * application's). Two registrations of one host collapse into one endpoint.
   */
  static List<Endpoint> atPort(List<Endpoint> endpoints, int port) {
    return endpoints.stream()
        .map(
            e ->
                new Endpoint(
                    e.address(), port, e.weight(), e.region(), e.zone(), e.status(), e.priority()))
        .distinct()
        .toList();
  }

  static Endpoint endpoint(ServiceInstance i, int priority) {
    Endpoint.Status status =
        i.health() == Health.PASSING ? Endpoint.Status.HEALTHY : Endpoint.Status.DEGRADED;
    return new Endpoint(i.address(), i.port(), i.weight(), i.region(), i.zone(), status, priority);
  }
}
