package dev.sluice.server.admin;

import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.consumer.ConsumerSpec;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.jwt.JwtProviderSpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.upstream.UpstreamSpec;
import dev.sluice.yaml.Finding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Each policy document of the last load: accepted, rejected (its own errors) or valid but not
 * applied (another document has errors, and a change is applied whole or not at all); its
 * findings; and the proxy groups it affects.
 */
final class PolicyStatus {
  enum State {
    ACCEPTED,
    REJECTED,
    NOT_APPLIED
  }

  record Entry(String resource, String file, int line, State state, List<Finding> findings, Set<String> groups) {}

  private PolicyStatus() {}

  static List<Entry> of(PolicyLoader.Result load) {
    PolicySet set = load.readable();
    boolean failed = load.hasErrors();
    Map<String, Entry> out = new LinkedHashMap<>();
    List<PolicyResource> all = new ArrayList<>();
    all.addAll(set.gateways());
    all.addAll(set.routes());
    all.addAll(set.upstreams());
    all.addAll(set.jwtProviders());
    all.addAll(set.consumers());
    for (PolicyResource r : all) {
      String label = r.label(kind(r));
      List<Finding> findings = load.findings().stream().filter(f -> label.equals(f.resource())).toList();
      State state = findings.stream().anyMatch(Finding::isError) ? State.REJECTED : failed ? State.NOT_APPLIED : State.ACCEPTED;
      out.put(label, new Entry(label, String.valueOf(r.source().file()), r.source().position().line(), state, findings,
          groups(r, set)));
    }
    // documents so broken that they were not read at all
    for (Finding f : load.findings()) {
      if (f.isError() && f.resource() != null && !f.resource().isEmpty() && !out.containsKey(f.resource())) {
        List<Finding> findings = load.findings().stream().filter(x -> f.resource().equals(x.resource())).toList();
        out.put(f.resource(), new Entry(f.resource(), String.valueOf(f.file()), f.position().line(), State.REJECTED, findings,
            Set.of()));
      }
    }
    return List.copyOf(out.values());
  }

  private static String kind(PolicyResource r) {
    if (r instanceof GatewaySpec) {
      return GatewaySpec.KIND;
    } else if (r instanceof RouteSpec) {
      return RouteSpec.KIND;
    } else if (r instanceof UpstreamSpec) {
      return UpstreamSpec.KIND;
    } else if (r instanceof JwtProviderSpec) {
      return JwtProviderSpec.KIND;
    } else if (r instanceof ConsumerSpec) {
      return ConsumerSpec.KIND;
    }
    return r.getClass().getSimpleName();
  }

  /** The gateways (proxy groups) whose config the resource is part of. */
  private static Set<String> groups(PolicyResource r, PolicySet set) {
    Set<String> out = new TreeSet<>();
    if (r instanceof GatewaySpec g) {
      out.add(g.name());
    } else if (r instanceof RouteSpec route) {
      out.add(route.gateway());
    } else if (r instanceof UpstreamSpec u) {
      set.routes().stream()
          .filter(route -> route.backends().stream().anyMatch(b -> b.service().equals(u.name()))
              || route.options().mirrors().stream().anyMatch(m -> m.service().equals(u.name()))
              || set.effectiveAuth(route).flatMap(AuthSpec::external).map(e -> e.service().equals(u.name())).orElse(false))
          .forEach(route -> out.add(route.gateway()));
    } else if (r instanceof JwtProviderSpec p) {
      set.routes().stream()
          .filter(route -> set.effectiveAuth(route).flatMap(AuthSpec::jwt).map(j -> j.providers().contains(p.name())).orElse(false))
          .forEach(route -> out.add(route.gateway()));
    } else if (r instanceof ConsumerSpec) {
      set.routes().stream()
          .filter(route -> set.effectiveAuth(route).map(AuthSpec::identifiesConsumers).orElse(false))
          .forEach(route -> out.add(route.gateway()));
    }
    return out;
  }
}
