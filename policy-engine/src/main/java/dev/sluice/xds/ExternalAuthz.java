package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.ExternalCheck;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.policy.auth.AuthSpec.ExternalAuth.Protocol;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationResponse;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.CheckSettings;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/**
 * {@code auth.external} → Envoy's ext_authz: one filter per service and settings, in the listener
 * but disabled, enabled by the routes that use it. A service that fails or times out means 403
 * unless {@code failOpen}.
 */
final class ExternalAuthz implements HttpFilterFeature {
  @Override
  public String name() {
    return "sluice.ext_authz.<service>";
  }

  @Override
  public boolean needed(HttpListener l) {
    return !l.auth().externals().isEmpty();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return l.auth().externals().stream().map(ExternalAuthz::filter).toList();
  }

  @Override
  public List<Descriptor> types() {
    return List.of(
        ExtAuthz.getDescriptor(), ExtAuthzPerRoute.getDescriptor(), FilterConfig.getDescriptor());
  }

  private static HttpFilter filter(ExternalCheck c) {
    ExtAuthz.Builder config =
        ExtAuthz.newBuilder()
            .setTransportApiVersion(ApiVersion.V3)
            .setFailureModeAllow(c.failOpen());
    if (c.protocol() == Protocol.GRPC) {
      config.setGrpcService(
          GrpcService.newBuilder()
              .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(c.cluster()))
              .setTimeout(Protos.duration(c.timeout())));
    } else {
      HttpService.Builder http =
          HttpService.newBuilder()
              .setServerUri(
                  HttpUri.newBuilder()
                      .setUri("http://" + c.cluster())
                      .setCluster(c.cluster())
                      .setTimeout(Protos.duration(c.timeout())))
              .setPathPrefix(c.pathPrefix());
      if (!c.headersToUpstream().isEmpty()) {
        // Envoy rejects an empty pattern list
        ListStringMatcher.Builder upstream = ListStringMatcher.newBuilder();
        c.headersToUpstream()
            .forEach(h -> upstream.addPatterns(StringMatcher.newBuilder().setExact(h)));
        http.setAuthorizationResponse(
            AuthorizationResponse.newBuilder().setAllowedUpstreamHeaders(upstream));
      }
      config.setHttpService(http);
    }
    return HttpFilter.newBuilder()
        .setName(c.filterName())
        .setDisabled(true)
        .setTypedConfig(Any.pack(config.build()))
        .build();
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    ir.auth()
        .external()
        .ifPresent(
            name ->
                route.putTypedPerFilterConfig(
                    name,
                    Any.pack(
                        FilterConfig.newBuilder()
                            .setConfig(
                                Any.pack(
                                    ExtAuthzPerRoute.newBuilder()
                                        .setCheckSettings(CheckSettings.getDefaultInstance())
                                        .build()))
                            .build())));
  }
}
