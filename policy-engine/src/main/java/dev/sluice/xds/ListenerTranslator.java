package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.ListenerAuth;
import dev.sluice.policy.hardening.HardeningSpec;
import dev.sluice.ir.ProxyConfig;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/**
 * HTTP listeners with an HTTP connection manager that fetches its routes over RDS. The settings
 * follow Envoy's "configuring Envoy as an edge proxy" guidance (DESIGN.md invariant 6).
 */
final class ListenerTranslator implements FeatureTranslator {
  static final String HCM_FILTER = "envoy.filters.network.http_connection_manager";
  static final String ROUTER_FILTER = "envoy.filters.http.router";

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (HttpListener l : ir.listeners()) {
      HardeningSpec h = l.hardening();
      HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
          .setStatPrefix(l.name())
          .setCodecType(HttpConnectionManager.CodecType.AUTO)
          .setRds(Rds.newBuilder().setRouteConfigName(l.routeConfigName()).setConfigSource(Protos.ads()))
          .setUseRemoteAddress(BoolValue.of(true))
          .setXffNumTrustedHops(l.trustedHops())
          .setNormalizePath(BoolValue.of(true))
          .setMergeSlashes(h.mergeSlashes())
          .setPathWithEscapedSlashesAction(switch (h.escapedSlashes()) {
            case REDIRECT -> HttpConnectionManager.PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT;
            case REJECT -> HttpConnectionManager.PathWithEscapedSlashesAction.REJECT_REQUEST;
            case UNESCAPE -> HttpConnectionManager.PathWithEscapedSlashesAction.UNESCAPE_AND_FORWARD;
            case KEEP -> HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED;
          })
          .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder()
              .setIdleTimeout(Protos.duration(h.idleTimeout()))
              .setHeadersWithUnderscoresAction(switch (h.headersWithUnderscores()) {
                case REJECT -> HttpProtocolOptions.HeadersWithUnderscoresAction.REJECT_REQUEST;
                case DROP -> HttpProtocolOptions.HeadersWithUnderscoresAction.DROP_HEADER;
                case ALLOW -> HttpProtocolOptions.HeadersWithUnderscoresAction.ALLOW;
              }))
          .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
          .setHttp2ProtocolOptions(Http2ProtocolOptions.newBuilder()
              .setMaxConcurrentStreams(UInt32Value.of(h.maxConcurrentStreams()))
              .setInitialStreamWindowSize(UInt32Value.of(64 * 1024))
              .setInitialConnectionWindowSize(UInt32Value.of(1024 * 1024)))
          .setStreamIdleTimeout(Protos.duration(h.streamIdleTimeout()))
          .setRequestTimeout(Protos.duration(h.requestTimeout()))
          .setRequestHeadersTimeout(Protos.duration(h.requestHeadersTimeout()));
      // Filter order: CORS answers preflights before anything else runs (browsers send them
      // without credentials); gRPC-Web and the
      // JSON transcoder turn requests into gRPC before routing; compression wraps
      // whatever the router returns; the router is last.
      if (l.cors()) {
        hcm.addHttpFilters(HttpFilter.newBuilder().setName(CorsPolicies.FILTER).setTypedConfig(Any.pack(Cors.getDefaultInstance())));
      }
      // Then who is calling, and may they: identity headers stripped before anything can set
      // them, the cheap local checks (JWT, key, password) before the remote one (ext_authz),
      // and access rules once every identity is known.
      ListenerAuth auth = l.auth();
      if (!auth.identityHeaders().isEmpty()) {
        hcm.addHttpFilters(IdentityHeaders.filter(auth));
      }
      if (!auth.jwtProviders().isEmpty()) {
        hcm.addHttpFilters(JwtAuthn.filter(auth));
        hcm.addHttpFilters(JwtTokens.filter());
        hcm.setLocalReplyConfig(LocalReplyConfig.newBuilder().addMappers(JwtAuthn.audienceIs401()));
      }
      if (auth.apiKeys()) {
        hcm.addHttpFilters(ApiKeys.filter());
      }
      auth.basic().ifPresent(b -> hcm.addHttpFilters(BasicAuthFilter.filter(auth)));
      auth.externals().forEach(c -> hcm.addHttpFilters(ExternalAuthz.filter(c)));
      if (!auth.gatewayAccess().isEmpty()) {
        hcm.addHttpFilters(AccessRules.gatewayFilter(auth));
      }
      if (auth.routeAccess()) {
        hcm.addHttpFilters(AccessRules.routeFilter());
      }
      if (l.rateLimit()) {
        // after auth, so buckets can be per consumer or claim
        hcm.addHttpFilters(LocalRateLimits.filter());
      }
      // the global limit after the local one: a request the local bucket refuses costs no round trip
      l.globalRateLimit().ifPresent(f -> {
        hcm.addHttpFilters(GlobalRateLimitFilters.filter(f));
        f.service().ifPresent(c -> out.origin("cluster/" + c.name(), "Gateway/" + ir.group() + " (globalRateLimit.service)"));
      });
      if (l.grpcWeb()) {
        hcm.addHttpFilters(GrpcFilters.grpcWeb());
      }
      l.grpcJson().ifPresent(spec -> hcm.addHttpFilters(GrpcFilters.transcoder(spec)));
      l.compression().ifPresent(c -> hcm.addAllHttpFilters(CompressionFilters.filters(c)));
      if (l.cache()) {
        // after compression, so the cache keeps uncompressed bodies and compression applies per client
        hcm.addHttpFilters(CacheFilter.filter());
      }
      hcm.addHttpFilters(HttpFilter.newBuilder().setName(ROUTER_FILTER).setTypedConfig(Any.pack(Router.getDefaultInstance())));
      out.listeners.put(l.name(), Listener.newBuilder()
          .setName(l.name())
          .setAddress(Address.newBuilder().setSocketAddress(
              SocketAddress.newBuilder().setAddress(l.address()).setPortValue(l.port())))
          .setPerConnectionBufferLimitBytes(UInt32Value.of(h.bufferLimitBytes()))
          .addFilterChains(FilterChain.newBuilder()
              .addFilters(Filter.newBuilder().setName(HCM_FILTER).setTypedConfig(Any.pack(hcm.build())))));
    }
  }
}
