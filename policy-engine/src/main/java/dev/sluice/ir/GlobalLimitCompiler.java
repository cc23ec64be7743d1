package dev.sluice.ir;

import dev.sluice.ir.GlobalLimit.From;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.globalratelimit.GlobalRateLimitSpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.ratelimit.RateLimitTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A route's global limits: its gateway's rules (counters shared by every route) and its own
 * (counters per route: the descriptor starts with the route's name).
 */
final class GlobalLimitCompiler {
  static final String CONSUMER_HEADER = ListenerAuth.CONSUMER_HEADER;

  /**
   * Longer than the service's own store timeout (100 ms by default), so that when Redis is
   * unreachable the service answers by the rule's failure mode before Envoy gives up.
   */
  static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);

  private GlobalLimitCompiler() {}

  static List<GlobalLimit> limits(RouteSpec r, GatewaySpec g) {
    List<GlobalLimit> out = new ArrayList<>();
    g.limits()
        .globalRateLimit()
        .ifPresent(
            spec ->
                spec.rules()
                    .forEach(
                        rule ->
                            out.add(
                                limit(
                                    rule,
                                    Optional.empty(),
                                    g.label()
                                        + " globalRateLimit.rules["
                                        + rule.index()
                                        + "] ("
                                        + g.source()
                                        + ")"))));
    r.options()
        .limits()
        .globalRateLimit()
        .ifPresent(
            spec ->
                spec.rules()
                    .forEach(
                        rule ->
                            out.add(
                                limit(
                                    rule,
                                    Optional.of(r.name()),
                                    r.label()
                                        + " globalRateLimit.rules["
                                        + rule.index()
                                        + "] ("
                                        + r.source()
                                        + ")"))));
    return out;
  }

  static Optional<GlobalRateLimitFilter> filter(GatewaySpec g, boolean anyLimit) {
    if (!anyLimit) {
      return Optional.empty();
    }
    Optional<GlobalRateLimitSpec> spec = g.limits().globalRateLimit();
    return Optional.of(
        new GlobalRateLimitFilter(
            g.name(),
            spec.flatMap(GlobalRateLimitSpec::failOpen).orElse(true),
            spec.flatMap(GlobalRateLimitSpec::failureStatus)
                .orElse(GlobalRateLimitSpec.DEFAULT_FAILURE_STATUS),
            spec.flatMap(GlobalRateLimitSpec::timeout).orElse(DEFAULT_TIMEOUT),
            // gRPC, so HTTP/2; plaintext, as the bootstrap's cluster is
            spec.flatMap(GlobalRateLimitSpec::service)
                .map(
                    s ->
                        new DnsCluster(
                            DnsCluster.forRateLimitService(s.host(), s.port()),
                            s.host(),
                            s.port(),
                            false,
                            true))));
  }

  private static GlobalLimit limit(
      GlobalRateLimitSpec.Rule rule, Optional<String> route, String policy) {
    List<GlobalLimit.Entry> entries = new ArrayList<>();
    route.ifPresent(
        name -> entries.add(new GlobalLimit.Entry(From.ROUTE, "", "route", Optional.of(name))));
    for (GlobalRateLimitSpec.Key k : rule.by()) {
      entries.add(
          switch (k.type()) {
            case CLIENT_IP ->
                new GlobalLimit.Entry(From.CLIENT_IP, "", "remote_address", k.value());
            case CONSUMER ->
                new GlobalLimit.Entry(From.HEADER, CONSUMER_HEADER, "consumer", k.value());
            case PATH -> new GlobalLimit.Entry(From.PATH, "", "path", k.value());
            case METHOD -> new GlobalLimit.Entry(From.HEADER, ":method", "method", k.value());
            case HEADER ->
                new GlobalLimit.Entry(From.HEADER, k.name(), "header." + k.name(), k.value());
            case CLAIM ->
                new GlobalLimit.Entry(From.CLAIM, k.name(), "claim." + k.name(), k.value());
          });
    }
    RateLimitTable.Limit limit =
        new RateLimitTable.Limit(
            rule.requests().orElse(0L), rule.unit(), rule.requests().isEmpty(), rule.shadow());
    return new GlobalLimit(entries, limit, policy);
  }
}
