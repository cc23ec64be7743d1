package dev.sluice.xds;

import com.google.protobuf.UInt32Value;
import dev.sluice.ir.ListenerAuth;
import dev.sluice.policy.access.AccessRule;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ListMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code access} rules → Envoy's RBAC. Envoy's RBAC has no "first match wins" list, so the ordered
 * rules (most specific first) become one ALLOW policy per allow rule: "this rule matches and no
 * deny rule before it does". No policy matching means 403, which is the default deny. The gateway's
 * rules are {@link GatewayAccessFilter}, each route's own {@link RouteAccessFilter}.
 */
final class AccessRules {
  private AccessRules() {}

  /**
   * @param rules in evaluation order
   */
  static RBAC rbac(List<AccessRule> rules) {
    RBAC.Builder rbac = RBAC.newBuilder().setAction(RBAC.Action.ALLOW);
    List<Principal> denies = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      AccessRule r = rules.get(i);
      if (!r.allow()) {
        denies.add(matches(r));
        continue;
      }
      Principal p =
          denies.isEmpty()
              ? matches(r)
              : all(List.of(matches(r), Principal.newBuilder().setNotId(any(denies)).build()));
      rbac.putPolicies(
          String.format("%02d-allow", i),
          Policy.newBuilder()
              .addPermissions(Permission.newBuilder().setAny(true))
              .addPrincipals(p)
              .build());
    }
    return rbac.build();
  }

  /** Every condition of the rule; within one condition, any of its values. */
  static Principal matches(AccessRule r) {
    List<Principal> all = new ArrayList<>();
    condition(all, r.ips(), AccessRules::ip);
    condition(all, r.paths(), AccessRules::path);
    condition(all, r.methods(), m -> header(":method", m));
    r.headers().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> all.add(header(e.getKey(), e.getValue())));
    r.claims().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> all.add(claim(e.getKey(), e.getValue())));
    condition(all, r.scopes(), s -> any(List.of(claim("scope", s), claim("scp", s))));
    condition(all, r.consumers(), c -> header(ListenerAuth.CONSUMER_HEADER, c));
    return all.isEmpty() ? Principal.newBuilder().setAny(true).build() : all(all);
  }

  private static void condition(
      List<Principal> out, List<String> values, Function<String, Principal> one) {
    if (!values.isEmpty()) {
      out.add(any(values.stream().map(one).toList()));
    }
  }

  private static Principal all(List<Principal> ps) {
    return ps.size() == 1
        ? ps.get(0)
        : Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(ps)).build();
  }

  private static Principal any(List<Principal> ps) {
    return ps.size() == 1
        ? ps.get(0)
        : Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(ps)).build();
  }

  /** The client as the connection manager found it (after trusted hops), not the last hop. */
  private static Principal ip(String cidr) {
    String[] parts = cidr.split("/", 0);
    return Principal.newBuilder()
        .setRemoteIp(
            CidrRange.newBuilder()
                .setAddressPrefix(parts[0])
                .setPrefixLen(UInt32Value.of(Integer.parseInt(parts[1]))))
        .build();
  }

  /**
   * The path itself or anything below it: {@code /admin} covers {@code /admin/x}, not {@code
   * /administrator}.
   */
  private static Principal path(String p) {
    if (p.equals("/")) {
      return Principal.newBuilder().setAny(true).build();
    }
    return any(
        List.of(
            Principal.newBuilder()
                .setUrlPath(
                    PathMatcher.newBuilder().setPath(StringMatcher.newBuilder().setExact(p)))
                .build(),
            Principal.newBuilder()
                .setUrlPath(
                    PathMatcher.newBuilder().setPath(StringMatcher.newBuilder().setPrefix(p + "/")))
                .build()));
  }

  private static Principal header(String name, String value) {
    return Principal.newBuilder()
        .setHeader(
            HeaderMatcher.newBuilder()
                .setName(name)
                .setStringMatch(StringMatcher.newBuilder().setExact(value)))
        .build();
  }

  /** A claim equal to the value, or a list claim containing it (scopes are split into a list). */
  private static Principal claim(String claim, String value) {
    StringMatcher exact = StringMatcher.newBuilder().setExact(value).build();
    MetadataMatcher.Builder m =
        MetadataMatcher.newBuilder()
            .setFilter(JwtAuthn.FILTER)
            .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(JwtAuthn.PAYLOAD))
            .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(claim));
    return any(
        List.of(
            Principal.newBuilder()
                .setMetadata(m.clone().setValue(ValueMatcher.newBuilder().setStringMatch(exact)))
                .build(),
            Principal.newBuilder()
                .setMetadata(
                    m.clone()
                        .setValue(
                            ValueMatcher.newBuilder()
                                .setListMatch(
                                    ListMatcher.newBuilder()
                                        .setOneOf(
                                            ValueMatcher.newBuilder().setStringMatch(exact)))))
                .build()));
  }
}
