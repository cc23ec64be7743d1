package dev.sluice.ir;

import dev.sluice.ratelimit.RateLimitTable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The service side of every gateway's global limits, from the compiled configs. */
public final class GlobalRateLimitTables {
  private GlobalRateLimitTables() {}

  public static RateLimitTable of(Map<String, ProxyConfig> configs) {
    Set<RateLimitTable.Rule> rules = new LinkedHashSet<>();
    configs.forEach(
        (group, config) ->
            config
                .listeners()
                .forEach(
                    l ->
                        l.limits()
                            .globalRateLimit()
                            .ifPresent(
                                f ->
                                    l.virtualHosts()
                                        .forEach(
                                            vh ->
                                                vh.routes()
                                                    .forEach(
                                                        r ->
                                                            r.limits()
                                                                .globalLimits()
                                                                .forEach(
                                                                    g ->
                                                                        rules.add(
                                                                            g.rule(
                                                                                f.domain(),
                                                                                f
                                                                                    .failOpen()))))))));
    return new RateLimitTable(List.copyOf(rules));
  }
}
