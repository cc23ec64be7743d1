package dev.sluice.ir;

import dev.sluice.policy.PolicySet;
import dev.sluice.policy.access.Access;
import dev.sluice.policy.access.AccessRule;
import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.auth.AuthSpec.ExternalAuth;
import dev.sluice.policy.consumer.ConsumerSpec;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.jwt.JwtProviderSpec;
import dev.sluice.policy.route.RouteSpec;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Auth and access for one gateway: each route's {@link RouteAuth}, then the {@link ListenerAuth}
 * that gathers what the routes need. One instance per gateway, used route by route.
 */
final class AuthCompiler {
  private final PolicySet policies;
  private final GatewaySpec gateway;
  private final TreeMap<String, JwtProviderSpec> providers = new TreeMap<>();
  private final TreeMap<String, JwtRequirement> requirements = new TreeMap<>();
  private final Map<ExternalCheck, String> externals = new LinkedHashMap<>();
  private final TreeSet<String> externalServices = new TreeSet<>();
  private boolean apiKeys;
  private Map<String, String> consumerBySha256;
  private BasicCheck basicUsers;
  private boolean basic;

  AuthCompiler(PolicySet policies, GatewaySpec gateway) {
    this.policies = policies;
    this.gateway = gateway;
  }

  RouteAuth route(RouteSpec r) {
    List<AccessRule> access =
        r.options().security().access().stream().sorted(Access.EVALUATION_ORDER).toList();
    Optional<AuthSpec> auth = policies.effectiveAuth(r);
    if (auth.isEmpty()) {
      return new RouteAuth(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), access);
    }
    AuthSpec a = auth.get();
    Optional<JwtRequirement> jwt =
        a.jwt()
            .map(
                j -> {
                  List<JwtProviderSpec> specs =
                      j.providers().stream()
                          .sorted()
                          .distinct()
                          .flatMap(p -> policies.jwtProvider(p).stream())
                          .toList();
                  specs.forEach(spec -> providers.put(spec.name(), spec));
                  JwtRequirement req =
                      new JwtRequirement(
                          j.providers(),
                          j.mode(),
                          specs.stream().flatMap(spec -> spec.tokenFrom().stream()).toList());
                  requirements.put(req.name(), req);
                  return req;
                });
    Optional<ApiKeyCheck> apiKey =
        a.apiKey()
            .map(
                k -> {
                  apiKeys = true;
                  return ApiKeyCheck.of(k.header(), k.query(), consumerBySha256());
                });
    basic |= a.basic();
    Optional<String> external = a.external().map(this::external);
    return new RouteAuth(
        jwt, apiKey, a.basic() ? Optional.of(basicUsers()) : Optional.empty(), external, access);
  }

  /** Every consumer's key digests, built once per gateway (each API-key route carries them). */
  private Map<String, String> consumerBySha256() {
    if (consumerBySha256 == null) {
      consumerBySha256 = new TreeMap<>();
      for (ConsumerSpec c : policies.consumers()) {
        c.apiKeySha256().forEach(h -> consumerBySha256.put(h, c.name()));
      }
    }
    return consumerBySha256;
  }

  private BasicCheck basicUsers() {
    if (basicUsers == null) {
      TreeMap<String, String> users = new TreeMap<>();
      policies.consumers().forEach(c -> c.passwordHash().ifPresent(h -> users.put(c.name(), h)));
      basicUsers = new BasicCheck(users);
    }
    return basicUsers;
  }

  /** The services of the ext_authz checks, which need clusters of their own. */
  SortedSet<String> externalServices() {
    return externalServices;
  }

  private String external(ExternalAuth e) {
    externalServices.add(e.service());
    // the same service with other settings needs a filter of its own: the settings live in the
    // filter
    ExternalCheck unnamed =
        new ExternalCheck(
            "",
            e.service(),
            e.protocol(),
            e.pathPrefix(),
            e.timeout(),
            e.failOpen(),
            e.headersToUpstream());
    return externals.computeIfAbsent(
        unnamed,
        k -> {
          long same =
              externals.keySet().stream().filter(x -> x.cluster().equals(e.service())).count();
          return "sluice.ext_authz." + e.service() + (same == 0 ? "" : "." + (same + 1));
        });
  }

  ListenerAuth listener() {
    List<ExternalCheck> checks = new ArrayList<>();
    externals.forEach(
        (c, name) ->
            checks.add(
                new ExternalCheck(
                    name,
                    c.cluster(),
                    c.protocol(),
                    c.pathPrefix(),
                    c.timeout(),
                    c.failOpen(),
                    c.headersToUpstream())));
    TreeSet<String> identity = new TreeSet<>();
    if (apiKeys || basic) {
      identity.add(ListenerAuth.CONSUMER_HEADER);
    }
    providers.values().forEach(p -> identity.addAll(p.claimsToHeaders().values()));
    checks.forEach(c -> identity.addAll(c.headersToUpstream()));
    List<AccessRule> gatewayAccess =
        gateway.security().access().stream().sorted(Access.EVALUATION_ORDER).toList();
    return new ListenerAuth(
        List.copyOf(providers.values()),
        List.copyOf(requirements.values()),
        basic ? Optional.of(basicUsers()) : Optional.empty(),
        checks,
        gatewayAccess,
        List.copyOf(identity));
  }

  /** One cluster per provider whose keys Envoy fetches from a URL. */
  List<DnsCluster> jwksClusters() {
    List<DnsCluster> out = new ArrayList<>();
    for (JwtProviderSpec p : providers.values()) {
      if (p.jwks() instanceof JwtProviderSpec.RemoteJwks remote) {
        URI u = remote.uri();
        boolean tls = "https".equals(u.getScheme());
        out.add(
            new DnsCluster(
                DnsCluster.forJwks(p.name()),
                u.getHost(),
                u.getPort() > 0 ? u.getPort() : tls ? 443 : 80,
                tls));
      }
    }
    return out;
  }
}
