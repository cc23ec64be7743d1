package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.policy.hardening.HardeningSpec;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/**
 * HTTP listeners with an HTTP connection manager that fetches its routes over RDS and the HTTP
 * filters of {@link HttpFilterChain} that the listener needs. The settings follow Envoy's
 * "configuring Envoy as an edge proxy" guidance (docs/security.md, "Hardened by default").
 */
final class ListenerTranslator implements FeatureTranslator {
  static final String HCM_FILTER = "envoy.filters.network.http_connection_manager";

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (HttpListener l : ir.listeners()) {
      HardeningSpec h = l.hardening();
      HttpConnectionManager.Builder hcm =
          HttpConnectionManager.newBuilder()
              .setStatPrefix(l.name())
              .setCodecType(HttpConnectionManager.CodecType.AUTO)
              .setRds(
                  Rds.newBuilder()
                      .setRouteConfigName(l.routeConfigName())
                      .setConfigSource(Protos.ads()))
              .setUseRemoteAddress(BoolValue.of(true))
              .setXffNumTrustedHops(l.trustedHops())
              .setNormalizePath(BoolValue.of(true))
              .setMergeSlashes(h.mergeSlashes())
              .setPathWithEscapedSlashesAction(
                  switch (h.escapedSlashes()) {
                    case REDIRECT ->
                        HttpConnectionManager.PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT;
                    case REJECT ->
                        HttpConnectionManager.PathWithEscapedSlashesAction.REJECT_REQUEST;
                    case UNESCAPE ->
                        HttpConnectionManager.PathWithEscapedSlashesAction.UNESCAPE_AND_FORWARD;
                    case KEEP -> HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED;
                  })
              .setCommonHttpProtocolOptions(
                  HttpProtocolOptions.newBuilder()
                      .setIdleTimeout(Protos.duration(h.idleTimeout()))
                      .setHeadersWithUnderscoresAction(
                          switch (h.headersWithUnderscores()) {
                            case REJECT ->
                                HttpProtocolOptions.HeadersWithUnderscoresAction.REJECT_REQUEST;
                            case DROP ->
                                HttpProtocolOptions.HeadersWithUnderscoresAction.DROP_HEADER;
                            case ALLOW -> HttpProtocolOptions.HeadersWithUnderscoresAction.ALLOW;
                          }))
              .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
              .setHttp2ProtocolOptions(
                  Http2ProtocolOptions.newBuilder()
                      .setMaxConcurrentStreams(UInt32Value.of(h.maxConcurrentStreams()))
                      .setInitialStreamWindowSize(UInt32Value.of(64 * 1024))
                      .setInitialConnectionWindowSize(UInt32Value.of(1024 * 1024)))
              .setStreamIdleTimeout(Protos.duration(h.streamIdleTimeout()))
              .setRequestTimeout(Protos.duration(h.requestTimeout()))
              .setRequestHeadersTimeout(Protos.duration(h.requestHeadersTimeout()));
      for (HttpFilterFeature f : HttpFilterChain.FILTERS) {
        if (f.needed(l)) {
          hcm.addAllHttpFilters(f.filters(l));
          f.patchConnectionManager(l, hcm);
          f.patchResources(ir, l, out);
        }
      }
      out.listeners.put(
          l.name(),
          Listener.newBuilder()
              .setName(l.name())
              .setAddress(
                  Address.newBuilder()
                      .setSocketAddress(
                          SocketAddress.newBuilder()
                              .setAddress(l.address())
                              .setPortValue(l.port())))
              .setPerConnectionBufferLimitBytes(UInt32Value.of(h.bufferLimitBytes()))
              .addFilterChains(
                  FilterChain.newBuilder()
                      .addFilters(
                          Filter.newBuilder()
                              .setName(HCM_FILTER)
                              .setTypedConfig(Any.pack(hcm.build())))));
    }
  }
}
