package dev.sluice.policy;

import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.route.RouteSpec.PathMatch;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/** Checks that look at several documents at once, or at policies against the catalog. */
public final class CrossChecks {
  private CrossChecks() {}

  /**
   * Resolves each route's gateway: the one it names, or the only one there is. {@code declared}
   * holds every Gateway name written, valid or not, so that a Gateway with its own error does not
   * also make every route that uses it fail with "no Gateway" or "unknown gateway".
   */
  static List<RouteSpec> attachRoutes(
      List<GatewaySpec> gateways,
      Set<String> declared,
      List<RouteSpec> routes,
      Diagnostics d,
      BiFunction<RouteSpec, String, RouteSpec> withGateway) {
    List<RouteSpec> out = new ArrayList<>();
    for (RouteSpec r : routes) {
      String label = r.label();
      if (r.gateway().isEmpty()) {
        if (declared.size() == 1) {
          if (gateways.size() == 1) {
            out.add(withGateway.apply(r, gateways.get(0).name()));
          }
        } else if (declared.isEmpty()) {
          d.add(
              new Finding(
                  Severity.ERROR,
                  r.source().file(),
                  r.source().position(),
                  label,
                  "gateway",
                  "no Gateway is defined to attach this route to (add a document with kind: Gateway)"));
        } else {
          d.add(
              new Finding(
                  Severity.ERROR,
                  r.source().file(),
                  r.source().position(),
                  label,
                  "gateway",
                  "several gateways exist ("
                      + String.join(", ", declared)
                      + "): name one with 'gateway:'"));
        }
      } else if (gateways.stream().anyMatch(g -> g.name().equals(r.gateway()))) {
        out.add(r);
      } else if (!declared.contains(r.gateway())) {
        d.add(
            new Finding(
                Severity.ERROR,
                r.source().file(),
                r.source().position(),
                label,
                "gateway",
                "unknown gateway \"" + r.gateway() + "\""));
      }
    }
    return out;
  }

  /** Warns when zoneFailover cannot work: a gateway that routes to the service says no zone. */
  public static void zoneFailoverWithoutZone(PolicySet set, Diagnostics d) {
    for (var u : set.upstreams()) {
      if (!u.zoneFailover()) {
        continue;
      }
      for (GatewaySpec g : set.gateways()) {
        boolean routesThere =
            set.routesOf(g.name()).stream()
                .anyMatch(r -> r.backends().stream().anyMatch(b -> b.service().equals(u.name())));
        if (routesThere && g.zone().isEmpty()) {
          d.add(
              new Finding(
                  Severity.WARNING,
                  u.source().file(),
                  u.source().position(),
                  u.label(),
                  "zoneFailover",
                  "gateway \""
                      + g.name()
                      + "\" has no zone, so its Envoys treat every zone alike (set zone: on the Gateway)"));
        }
      }
    }
  }

  /** Warns about routes that can never match because an earlier route takes all their requests. */
  public static void shadowedRoutes(PolicySet set, Diagnostics d) {
    for (GatewaySpec g : set.gateways()) {
      List<RouteSpec> routes = set.routesOf(g.name());
      // Earlier routes indexed by path: only those can cover a later one (see covers), and
      // looking them up instead of trying every earlier route keeps a load of thousands of routes
      // from costing n² comparisons on every policy change.
      Map<String, List<Integer>> prefixes = new HashMap<>();
      // and their lengths: a path is cut only at these, not at each of its characters, which would
      // cost the square of its length
      NavigableSet<Integer> prefixLengths = new TreeSet<>();
      Map<PathMatch, List<Integer>> exactOrRegex = new HashMap<>();
      for (int i = 0; i < routes.size(); i++) {
        RouteSpec b = routes.get(i);
        for (int j : candidates(b.path(), prefixes, prefixLengths, exactOrRegex)) {
          RouteSpec a = routes.get(j);
          if (covers(a, b, g)) {
            d.add(
                new Finding(
                    Severity.WARNING,
                    b.source().file(),
                    b.source().position(),
                    b.label(),
                    "match",
                    "never matches: route \""
                        + a.name()
                        + "\" at "
                        + a.source()
                        + " comes first and matches every request this one does"));
            break;
          }
        }
        PathMatch p = b.path();
        if (p.type() == PathMatch.Type.PREFIX) {
          prefixLengths.add(p.value().length());
        }
        (p.type() == PathMatch.Type.PREFIX
                ? prefixes.computeIfAbsent(p.value(), k -> new ArrayList<>())
                : exactOrRegex.computeIfAbsent(p, k -> new ArrayList<>()))
            .add(i);
      }
    }
  }

  /**
   * The indexes, in order, of the earlier routes whose path may cover {@code path}: prefix routes
   * whose prefix starts it (any path for "/"), and routes with the very same exact or regex match.
   */
  private static Set<Integer> candidates(
      PathMatch path,
      Map<String, List<Integer>> prefixes,
      NavigableSet<Integer> prefixLengths,
      Map<PathMatch, List<Integer>> exactOrRegex) {
    Set<Integer> out = null;
    out = with(out, prefixes.get("/"));
    if (path.type() != PathMatch.Type.REGEX) {
      for (int k : prefixLengths.subSet(1, true, path.value().length(), true)) {
        out = with(out, prefixes.get(path.value().substring(0, k)));
      }
    }
    out = with(out, exactOrRegex.get(path));
    return out == null ? Set.of() : out;
  }

  /** Most routes have no candidate at all: no set is made for them. */
  private static Set<Integer> with(Set<Integer> set, List<Integer> more) {
    if (more == null) {
      return set;
    }
    Set<Integer> out = set == null ? new TreeSet<>() : set;
    out.addAll(more);
    return out;
  }

  /**
   * Whether route {@code a} matches every request {@code b} does. The path test comes first: it
   * rejects most candidates at once without allocating.
   */
  private static boolean covers(RouteSpec a, RouteSpec b, GatewaySpec g) {
    PathMatch pa = a.path();
    PathMatch pb = b.path();
    boolean path =
        switch (pa.type()) {
          case PREFIX ->
              pa.value().equals("/")
                  || (pb.type() != PathMatch.Type.REGEX && pb.value().startsWith(pa.value()));
          case EXACT, REGEX -> pa.equals(pb);
        };
    if (!path) {
      return false;
    }
    if (!a.methods().isEmpty()
        && (b.methods().isEmpty() || !a.methods().containsAll(b.methods()))) {
      return false;
    }
    if (!b.headers().containsAll(a.headers())
        || !b.options().queries().containsAll(a.options().queries())) {
      return false;
    }
    Set<String> hostsA = new HashSet<>(a.hosts().isEmpty() ? g.listen().hosts() : a.hosts());
    return hostsA.containsAll(b.hosts().isEmpty() ? g.listen().hosts() : b.hosts());
  }

  /**
   * Warnings about routes to services the registry does not know. Not errors: services come and go,
   * and such a route answers 503 until the service appears.
   */
  public static List<Finding> againstCatalog(PolicySet set, ServiceCatalog catalog) {
    List<Finding> out = new ArrayList<>();
    for (RouteSpec r : set.routes()) {
      for (int i = 0; i < r.backends().size(); i++) {
        RouteSpec.Backend b = r.backends().get(i);
        if (!catalog.contains(b.service())) {
          out.add(
              new Finding(
                  Severity.WARNING,
                  b.source().file(),
                  b.source().position(),
                  r.label(),
                  r.backends().size() == 1 ? "to" : "to[" + i + "]",
                  "service \""
                      + b.service()
                      + "\" is not in the registry: requests will get 503 until it appears"));
        }
      }
      for (var m : r.options().forwarding().mirrors()) {
        if (!catalog.contains(m.service())) {
          out.add(
              new Finding(
                  Severity.WARNING,
                  m.source().file(),
                  m.source().position(),
                  r.label(),
                  "mirror",
                  "service \""
                      + m.service()
                      + "\" is not in the registry: nothing is mirrored until it appears"));
        }
      }
    }
    out.addAll(MeshChecks.againstCatalog(set, catalog));
    return out;
  }
}
