package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import dev.sluice.ir.DnsCluster;
import dev.sluice.ir.GlobalLimit;
import dev.sluice.ir.GlobalRateLimitFilter;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.ProxyConfig;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.ratelimit.v3.RateLimitServiceConfig;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.rate_limit_descriptors.expr.v3.Descriptor;
import io.envoyproxy.envoy.type.metadata.v3.MetadataKey;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Global limits → Envoy's ratelimit filter (asking Sluice's rate-limit service through the
 * gateway's {@code globalRateLimit.service} cluster, else the bootstrap's {@value
 * #SERVICE_CLUSTER}) and each route's {@code rate_limits} actions, which build the descriptors the
 * service's table expects: both come from the same {@link GlobalLimit}s.
 */
final class GlobalRateLimitFilters implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.ratelimit";

  /** A static cluster of the Envoy bootstrap (envoy-configs/edge.yaml) pointing at the service. */
  static final String SERVICE_CLUSTER = "sluice_ratelimit";

  /** The path without its query string, through a CEL expression (request.url_path). */
  static final String PATH_DESCRIPTOR = "envoy.rate_limit_descriptors.expr";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.limits().globalRateLimit().isPresent();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(filter(l.limits().globalRateLimit().orElseThrow()));
  }

  @Override
  public List<Descriptors.Descriptor> types() {
    return List.of(
        io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.getDescriptor(),
        Descriptor.getDescriptor());
  }

  /**
   * The cluster of the gateway's own rate-limit service comes from its {@code
   * globalRateLimit.service}.
   */
  @Override
  public void patchResources(ProxyConfig ir, HttpListener l, XdsBuilder out) {
    l.limits()
        .globalRateLimit()
        .flatMap(GlobalRateLimitFilter::service)
        .ifPresent(
            c ->
                out.origin(
                    "cluster/" + c.name(), "Gateway/" + ir.group() + " (globalRateLimit.service)"));
  }

  static HttpFilter filter(GlobalRateLimitFilter f) {
    RuntimeFractionalPercent all =
        RuntimeFractionalPercent.newBuilder()
            .setDefaultValue(
                FractionalPercent.newBuilder()
                    .setNumerator(100)
                    .setDenominator(FractionalPercent.DenominatorType.HUNDRED))
            .build();
    var config = io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.newBuilder();
    if (!f.failOpen()) {
      // Every way the limits can fail to be checked ends here: the service unreachable or slower
      // than the timeout, and the service's own error answer when it cannot reach its counters
      // (RateLimitService answers a fail-closed rule's store failure with UNAVAILABLE for this).
      // So one setting, the gateway's failureStatus, decides the status; Envoy's default is 500.
      config
          .setFailureModeDeny(true)
          .setStatusOnError(
              HttpStatus.newBuilder().setCode(StatusCode.forNumber(f.failureStatus())));
    }
    return HttpFilter.newBuilder()
        .setName(FILTER)
        .setTypedConfig(
            Any.pack(
                config
                    .setDomain(f.domain())
                    .setTimeout(Protos.duration(f.timeout()))
                    .setFilterEnabled(all)
                    .setFilterEnforced(all)
                    .setEnableXRatelimitHeaders(
                        io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit
                            .XRateLimitHeadersRFCVersion.DRAFT_VERSION_03)
                    .setRateLimitService(
                        RateLimitServiceConfig.newBuilder()
                            .setTransportApiVersion(ApiVersion.V3)
                            .setGrpcService(
                                GrpcService.newBuilder()
                                    .setEnvoyGrpc(
                                        GrpcService.EnvoyGrpc.newBuilder()
                                            .setClusterName(
                                                f.service()
                                                    .map(DnsCluster::name)
                                                    .orElse(SERVICE_CLUSTER)))))
                    .build()))
        .build();
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    if (ir.limits().globalLimits().isEmpty() || !route.hasRoute()) {
      return;
    }
    // rules of one shape (say "per consumer" and its "unlimited for one consumer" exception) share
    // one descriptor; the service picks the rule
    Map<List<String>, GlobalLimit> byShape = new LinkedHashMap<>();
    ir.limits().globalLimits().forEach(g -> byShape.putIfAbsent(g.shape(), g));
    for (GlobalLimit g : byShape.values()) {
      RateLimit.Builder rl = RateLimit.newBuilder();
      for (GlobalLimit.Entry e : g.descriptor()) {
        RateLimit.Action.Builder a = RateLimit.Action.newBuilder();
        switch (e.from()) {
          case ROUTE ->
              a.setGenericKey(
                  RateLimit.Action.GenericKey.newBuilder()
                      .setDescriptorKey(e.key())
                      .setDescriptorValue(e.value().orElseThrow()));
          case CLIENT_IP -> a.setRemoteAddress(RateLimit.Action.RemoteAddress.getDefaultInstance());
          case HEADER ->
              a.setRequestHeaders(
                  RateLimit.Action.RequestHeaders.newBuilder()
                      .setHeaderName(e.name())
                      .setDescriptorKey(e.key()));
          // Envoy has no action for the path alone; its expression descriptor reads it
          case PATH ->
              a.setExtension(
                  TypedExtensionConfig.newBuilder()
                      .setName(PATH_DESCRIPTOR)
                      .setTypedConfig(
                          Any.pack(
                              Descriptor.newBuilder()
                                  .setDescriptorKey(e.key())
                                  .setText("request.url_path")
                                  .build())));
          case CLAIM ->
              a.setMetadata(
                  RateLimit.Action.MetaData.newBuilder()
                      .setDescriptorKey(e.key())
                      .setMetadataKey(
                          MetadataKey.newBuilder()
                              .setKey(JwtAuthn.FILTER)
                              .addPath(
                                  MetadataKey.PathSegment.newBuilder().setKey(JwtAuthn.PAYLOAD))
                              .addPath(MetadataKey.PathSegment.newBuilder().setKey(e.name())))
                      .setSource(RateLimit.Action.MetaData.Source.DYNAMIC));
        }
        rl.addActions(a);
      }
      route.getRouteBuilder().addRateLimits(rl);
    }
  }
}
