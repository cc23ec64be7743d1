package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.sluice.ir.HttpRoute;
import dev.sluice.policy.ratelimit.RateLimitSpec;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.XRateLimitHeadersRFCVersion;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.envoyproxy.envoy.type.v3.TokenBucket;

/**
 * {@code rateLimit} → Envoy's local_ratelimit: the filter in the listener with no bucket of its
 * own, and a bucket per route or virtual host. The filter's enabled and enforced fractions default
 * to 0% in Envoy; a limit that is written must be enforced, so both are set to 100%.
 */
final class LocalRateLimits implements RouteFeature {
  static final String FILTER = "envoy.filters.http.local_ratelimit";

  static HttpFilter filter() {
    return HttpFilter.newBuilder()
        .setName(FILTER)
        .setTypedConfig(Any.pack(LocalRateLimit.newBuilder().setStatPrefix("local_rate_limit").build()))
        .build();
  }

  static Any config(RateLimitSpec r) {
    RuntimeFractionalPercent all = RuntimeFractionalPercent.newBuilder()
        .setDefaultValue(FractionalPercent.newBuilder().setNumerator(100).setDenominator(FractionalPercent.DenominatorType.HUNDRED))
        .build();
    return Any.pack(LocalRateLimit.newBuilder()
        .setStatPrefix("local_rate_limit")
        .setTokenBucket(TokenBucket.newBuilder()
            .setMaxTokens(r.burst())
            .setTokensPerFill(UInt32Value.of(r.requests()))
            .setFillInterval(Protos.duration(r.per())))
        .setFilterEnabled(all)
        .setFilterEnforced(all)
        .setStatus(HttpStatus.newBuilder().setCode(StatusCode.forNumber(r.status())))
        .setEnableXRatelimitHeaders(XRateLimitHeadersRFCVersion.DRAFT_VERSION_03)
        .build());
  }

  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    ir.rateLimit().ifPresent(r -> route.putTypedPerFilterConfig(FILTER, config(r)));
  }
}
