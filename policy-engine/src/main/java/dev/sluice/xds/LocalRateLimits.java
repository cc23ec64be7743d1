package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.UInt32Value;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.ListenerAuth;
import dev.sluice.policy.ratelimit.RateLimitSpec;
import dev.sluice.policy.ratelimit.RateLimitSpec.ClientKey;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.LocalRateLimitDescriptor;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.XRateLimitHeadersRFCVersion;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.metadata.v3.MetadataKey;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.envoyproxy.envoy.type.v3.TokenBucket;
import java.util.List;

/**
 * {@code rateLimit} → Envoy's local_ratelimit: the filter in the listener with no bucket of its
 * own, and a bucket per route or virtual host (the gateway's). The filter's enabled and enforced
 * fractions default to 0% in Envoy; a limit that is written must be enforced, so both are set to
 * 100%.
 */
final class LocalRateLimits implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.local_ratelimit";

  /** Clients tracked at once per bucket definition (Envoy's default, 20, is for tests). */
  static final int MAX_CLIENTS = 10_000;

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.limits().rateLimit().isPresent()
        || l.anyRoute(r -> r.limits().rateLimit().isPresent());
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(
        HttpFilter.newBuilder()
            .setName(FILTER)
            .setTypedConfig(
                Any.pack(LocalRateLimit.newBuilder().setStatPrefix("local_rate_limit").build()))
            .build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(LocalRateLimit.getDescriptor());
  }

  @Override
  public void patchVirtualHost(HttpListener l, VirtualHost.Builder vhost) {
    l.limits().rateLimit().ifPresent(r -> vhost.putTypedPerFilterConfig(FILTER, config(r)));
  }

  private static Any config(RateLimitSpec r) {
    RuntimeFractionalPercent all =
        RuntimeFractionalPercent.newBuilder()
            .setDefaultValue(
                FractionalPercent.newBuilder()
                    .setNumerator(100)
                    .setDenominator(FractionalPercent.DenominatorType.HUNDRED))
            .build();
    TokenBucket bucket =
        TokenBucket.newBuilder()
            .setMaxTokens(r.burst())
            .setTokensPerFill(UInt32Value.of(r.requests()))
            .setFillInterval(Protos.duration(r.per()))
            .build();
    LocalRateLimit.Builder config =
        LocalRateLimit.newBuilder()
            .setStatPrefix("local_rate_limit")
            .setTokenBucket(bucket)
            .setFilterEnabled(all)
            .setFilterEnforced(all)
            .setStatus(HttpStatus.newBuilder().setCode(StatusCode.forNumber(r.status())))
            .setEnableXRatelimitHeaders(XRateLimitHeadersRFCVersion.DRAFT_VERSION_03);
    r.by().ifPresent(by -> perClient(by, bucket, config));
    return Any.pack(config.build());
  }

  /**
   * A bucket per value of the key: a descriptor entry with an empty value makes Envoy create a
   * bucket for each value it sees (up to {@link #MAX_CLIENTS}, least recently used evicted).
   * Requests without the key share the route's own bucket.
   */
  private static void perClient(ClientKey by, TokenBucket bucket, LocalRateLimit.Builder config) {
    RateLimit.Action.Builder action = RateLimit.Action.newBuilder();
    String key =
        switch (by.type()) {
          case CLIENT_IP -> {
            action.setRemoteAddress(RateLimit.Action.RemoteAddress.getDefaultInstance());
            yield "remote_address";
          }
          case HEADER -> {
            action.setRequestHeaders(
                RateLimit.Action.RequestHeaders.newBuilder()
                    .setHeaderName(by.name())
                    .setDescriptorKey("header"));
            yield "header";
          }
          case CONSUMER -> {
            action.setRequestHeaders(
                RateLimit.Action.RequestHeaders.newBuilder()
                    .setHeaderName(ListenerAuth.CONSUMER_HEADER)
                    .setDescriptorKey("consumer"));
            yield "consumer";
          }
          case CLAIM -> {
            action.setMetadata(
                RateLimit.Action.MetaData.newBuilder()
                    .setDescriptorKey("claim")
                    .setMetadataKey(
                        MetadataKey.newBuilder()
                            .setKey(JwtAuthn.FILTER)
                            .addPath(MetadataKey.PathSegment.newBuilder().setKey(JwtAuthn.PAYLOAD))
                            .addPath(MetadataKey.PathSegment.newBuilder().setKey(by.name())))
                    .setSource(RateLimit.Action.MetaData.Source.DYNAMIC));
            yield "claim";
          }
        };
    config
        .addRateLimits(RateLimit.newBuilder().addActions(action))
        .addDescriptors(
            LocalRateLimitDescriptor.newBuilder()
                .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(key).setValue(""))
                .setTokenBucket(bucket))
        .setMaxDynamicDescriptors(UInt32Value.of(MAX_CLIENTS))
        .setAlwaysConsumeDefaultTokenBucket(BoolValue.of(false));
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    ir.limits().rateLimit().ifPresent(r -> route.putTypedPerFilterConfig(FILTER, config(r)));
  }
}
