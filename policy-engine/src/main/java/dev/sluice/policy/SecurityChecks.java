package dev.sluice.policy;

import dev.sluice.policy.access.AccessRule;
import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.consumer.ConsumerSpec;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.globalratelimit.GlobalRateLimitSpec;
import dev.sluice.policy.ratelimit.RateLimitSpec;
import dev.sluice.policy.ratelimit.RateLimitSpec.ClientKey;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.upstream.UpstreamSpec;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.Severity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that tie authentication, access rules and rate-limit keys together: a rule on claims needs
 * a JWT, a rule or bucket per consumer needs API keys or basic auth, named providers and consumers
 * exist, and no key belongs to two consumers.
 */
public final class SecurityChecks {
  private SecurityChecks() {}

  public static void check(PolicySet set, Diagnostics d) {
    uniqueKeys(set, d);
    for (GatewaySpec g : set.gateways()) {
      String label = g.label();
      Optional<AuthSpec> auth = g.security().auth();
      auth.ifPresent(a -> auth(a, set, label, g.source(), d));
      rules(g.security().access(), auth, set, label, d);
      g.limits().rateLimit().ifPresent(r -> rateLimit(r, auth, label, g.source(), d));
      g.limits().globalRateLimit().ifPresent(r -> globalKeys(r, auth, label, g.source(), d));
    }
    for (RouteSpec r : set.routes()) {
      String label = r.label();
      Optional<AuthSpec> auth = set.effectiveAuth(r);
      r.options().security().auth().ifPresent(a -> auth(a, set, label, r.source(), d));
      rules(r.options().security().access(), auth, set, label, d);
      r.options().limits().rateLimit().ifPresent(rl -> rateLimit(rl, auth, label, r.source(), d));
      r.options()
          .limits()
          .globalRateLimit()
          .ifPresent(
              rl -> {
                globalKeys(rl, auth, label, r.source(), d);
                if (r.backends().isEmpty()) {
                  error(
                      d,
                      r.source(),
                      label,
                      "globalRateLimit",
                      "a route that redirects or answers itself sends nothing upstream: it has no global limit");
                }
              });
    }
  }

  // the same consumer object is no duplicate of itself
  @SuppressWarnings("ReferenceEquality")
  private static void uniqueKeys(PolicySet set, Diagnostics d) {
    Map<String, ConsumerSpec> owner = new HashMap<>();
    for (ConsumerSpec c : set.consumers()) {
      for (String hash : c.apiKeySha256()) {
        ConsumerSpec earlier = owner.putIfAbsent(hash, c);
        if (earlier != null && earlier != c) {
          error(
              d,
              c.source(),
              c.label(),
              "apiKeys",
              "a key of this consumer is also a key of Consumer/"
                  + earlier.name()
                  + " ("
                  + earlier.source()
                  + "): a key must name one consumer");
        }
      }
    }
  }

  private static void auth(AuthSpec a, PolicySet set, String label, Source owner, Diagnostics d) {
    a.jwt()
        .ifPresent(
            j -> {
              for (String p : j.providers()) {
                if (set.jwtProvider(p).isEmpty()) {
                  error(
                      d,
                      j.at(),
                      label,
                      "auth.jwt.providers",
                      "unknown JwtProvider \""
                          + p
                          + "\""
                          + (set.jwtProviders().isEmpty()
                              ? " (none is defined: add a document with kind: JwtProvider)"
                              : " (defined: "
                                  + String.join(
                                      ", ",
                                      set.jwtProviders().stream()
                                          .map(PolicyResource::name)
                                          .toList())
                                  + ")"));
                }
              }
            });
    a.external()
        .filter(e -> e.protocol() == AuthSpec.ExternalAuth.Protocol.GRPC)
        .ifPresent(
            e -> {
              var protocol = set.upstream(e.service()).map(UpstreamSpec::protocol);
              if (protocol.isEmpty() || protocol.get() == UpstreamSpec.Protocol.HTTP1) {
                error(
                    d,
                    e.at(),
                    label,
                    "auth.external.protocol",
                    "gRPC is spoken over HTTP/2: add an Upstream policy for \""
                        + e.service()
                        + "\" with protocol: grpc");
              }
            });
    if (a.apiKey().isPresent()
        && set.consumers().stream().allMatch(c -> c.apiKeySha256().isEmpty())) {
      d.add(
          new Finding(
              Severity.WARNING,
              owner.file(),
              owner.position(),
              label,
              "auth.apiKey",
              "no Consumer has apiKeys: every request will get 401"));
    }
    if (a.basic() && set.consumers().stream().allMatch(c -> c.passwordHash().isEmpty())) {
      d.add(
          new Finding(
              Severity.WARNING,
              owner.file(),
              owner.position(),
              label,
              "auth.basic",
              "no Consumer has a passwordHash: every request will get 401"));
    }
  }

  private static void rules(
      List<AccessRule> rules, Optional<AuthSpec> auth, PolicySet set, String label, Diagnostics d) {
    for (int i = 0; i < rules.size(); i++) {
      AccessRule rule = rules.get(i);
      String field = "access[" + i + "]";
      if (rule.needsJwt() && auth.flatMap(AuthSpec::jwt).isEmpty()) {
        error(
            d,
            rule.source(),
            label,
            field,
            "claims and scopes come from a JWT, but this "
                + (label.startsWith("Route") ? "route" : "gateway")
                + " has no auth.jwt");
      }
      if (!rule.consumers().isEmpty()) {
        if (auth.map(AuthSpec::identifiesConsumers).orElse(false)) {
          for (String c : rule.consumers()) {
            if (set.consumers().stream().noneMatch(x -> x.name().equals(c))) {
              error(
                  d, rule.source(), label, field + ".consumers", "unknown Consumer \"" + c + "\"");
            }
          }
        } else {
          error(
              d,
              rule.source(),
              label,
              field + ".consumers",
              "consumers are known only after auth.apiKey or auth.basic, which this "
                  + (label.startsWith("Route") ? "route" : "gateway")
                  + " has not");
        }
      }
    }
  }

  private static void rateLimit(
      RateLimitSpec r, Optional<AuthSpec> auth, String label, Source at, Diagnostics d) {
    ClientKey.Type by = r.by().map(ClientKey::type).orElse(null);
    if (by == ClientKey.Type.CONSUMER && !auth.map(AuthSpec::identifiesConsumers).orElse(false)) {
      error(d, at, label, "rateLimit.by", "a bucket per consumer needs auth.apiKey or auth.basic");
    }
    if (by == ClientKey.Type.CLAIM && auth.flatMap(AuthSpec::jwt).isEmpty()) {
      error(d, at, label, "rateLimit.by", "a bucket per claim needs auth.jwt");
    }
  }

  private static void globalKeys(
      GlobalRateLimitSpec spec, Optional<AuthSpec> auth, String label, Source at, Diagnostics d) {
    for (var rule : spec.rules()) {
      for (var key : rule.by()) {
        String field = "globalRateLimit.rules[" + rule.index() + "].by";
        if (key.type() == GlobalRateLimitSpec.Key.Type.CONSUMER
            && !auth.map(AuthSpec::identifiesConsumers).orElse(false)) {
          error(d, at, label, field, "a limit per consumer needs auth.apiKey or auth.basic");
        }
        if (key.type() == GlobalRateLimitSpec.Key.Type.CLAIM
            && auth.flatMap(AuthSpec::jwt).isEmpty()) {
          error(d, at, label, field, "a limit per claim needs auth.jwt");
        }
      }
    }
  }

  private static void error(Diagnostics d, Source at, String label, String field, String message) {
    d.add(new Finding(Severity.ERROR, at.file(), at.position(), label, field, message));
  }
}
