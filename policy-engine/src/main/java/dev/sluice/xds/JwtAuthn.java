package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Empty;
import com.google.protobuf.UInt32Value;
import dev.sluice.ir.DnsCluster;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.JwtRequirement;
import dev.sluice.policy.jwt.JwtProviderSpec;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ExtensionFilter;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwksAsyncFetch;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtCacheConfig;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtClaimToHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * JwtProviders and routes' {@code auth.jwt} → Envoy's jwt_authn: every provider and requirement in
 * the listener's filter, and each route naming its requirement. The payload of a valid token goes
 * to dynamic metadata (with {@code scope} split into a list) for access rules and rate-limit keys.
 */
final class JwtAuthn implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.jwt_authn";

  /** Where the payload lands in the filter's dynamic metadata. */
  static final String PAYLOAD = "jwt";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return !l.auth().jwtProviders().isEmpty();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    JwtAuthentication.Builder config = JwtAuthentication.newBuilder();
    for (JwtProviderSpec p : l.auth().jwtProviders()) {
      config.putProviders(p.name(), provider(p));
    }
    for (JwtRequirement r : l.auth().jwtRequirements()) {
      config.putRequirementMap(r.name(), requirement(r));
    }
    return List.of(
        HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Any.pack(config.build())).build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(
        JwtAuthentication.getDescriptor(),
        PerRouteConfig.getDescriptor(),
        ExpressionFilter.getDescriptor());
  }

  @Override
  public void patchConnectionManager(HttpListener l, HttpConnectionManager.Builder hcm) {
    hcm.setLocalReplyConfig(LocalReplyConfig.newBuilder().addMappers(audienceIs401()));
  }

  /**
   * Envoy answers a token for another audience with 403; RFC 6750 (3.1) calls such a token invalid
   * for this resource, which is 401 with {@code error="invalid_token"}, as for any other bad token.
   * This maps Envoy's reply (told apart by its response code details) to that.
   */
  private static ResponseMapper audienceIs401() {
    return ResponseMapper.newBuilder()
        .setFilter(
            AccessLogFilter.newBuilder()
                .setExtensionFilter(
                    ExtensionFilter.newBuilder()
                        .setName("envoy.access_loggers.extension_filters.cel")
                        .setTypedConfig(
                            Any.pack(
                                ExpressionFilter.newBuilder()
                                    .setExpression(
                                        "response.code_details == 'jwt_authn_access_denied{Audiences_in_Jwt_are_not_allowed}'")
                                    .build()))))
        .setStatusCode(UInt32Value.of(401))
        .addHeadersToAdd(
            HeaderValueOption.newBuilder()
                .setHeader(
                    HeaderValue.newBuilder()
                        .setKey("www-authenticate")
                        .setValue("Bearer error=\"invalid_token\""))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .build();
  }

  /** Verified tokens Envoy keeps per provider and worker. */
  static final int JWT_CACHE_SIZE = 1000;

  private static JwtProvider provider(JwtProviderSpec p) {
    JwtProvider.Builder b =
        JwtProvider.newBuilder()
            .setIssuer(p.issuer())
            .addAllAudiences(p.audiences())
            .setClockSkewSeconds((int) p.clockSkew().toSeconds())
            .setPayloadInMetadata(PAYLOAD)
            // the token stays in the request for sluice.jwt_token to remove (JwtTokens says why)
            .setForward(true)
            .setNormalizePayloadInMetadata(
                JwtProvider.NormalizePayload.newBuilder().addSpaceDelimitedClaims("scope"))
            // Verifying the signature is ~65 % of a JWT-protected request's cost (bench-datapath's
            // instruction counts); a client sends the same token many times, so Envoy keeps
            // verified
            // tokens per worker (up to 1,000, each ≤ 4 KiB) and still checks their expiry on each
            // hit.
            // New keys mean a new filter instance, hence an empty cache.
            .setJwtCacheConfig(JwtCacheConfig.newBuilder().setJwtCacheSize(JWT_CACHE_SIZE));
    if (p.jwks() instanceof JwtProviderSpec.LocalJwks local) {
      b.setLocalJwks(DataSource.newBuilder().setInlineString(local.json()));
    } else if (p.jwks() instanceof JwtProviderSpec.RemoteJwks remote) {
      b.setRemoteJwks(
          RemoteJwks.newBuilder()
              .setHttpUri(
                  HttpUri.newBuilder()
                      .setUri(remote.uri().toString())
                      .setCluster(DnsCluster.forJwks(p.name()))
                      .setTimeout(Protos.duration(Duration.ofSeconds(5))))
              .setCacheDuration(Protos.duration(remote.cacheFor()))
              // fetch when the listener starts, not on the first request, so that one does not wait
              .setAsyncFetch(JwksAsyncFetch.getDefaultInstance()));
    }
    for (JwtProviderSpec.TokenSource s : p.tokenFrom()) {
      switch (s.type()) {
        case HEADER ->
            b.addFromHeaders(JwtHeader.newBuilder().setName(s.name()).setValuePrefix(s.prefix()));
        case QUERY -> b.addFromParams(s.name());
        case COOKIE -> b.addFromCookies(s.name());
      }
    }
    p.claimsToHeaders().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                b.addClaimToHeaders(
                    JwtClaimToHeader.newBuilder()
                        .setClaimName(e.getKey())
                        .setHeaderName(e.getValue())));
    return b.build();
  }

  private static io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement
      requirement(JwtRequirement r) {
    var list = JwtRequirementOrList.newBuilder();
    r.providers()
        .forEach(
            p ->
                list.addRequirements(
                    io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement
                        .newBuilder()
                        .setProviderName(p)));
    switch (r.mode()) {
      case REQUIRED -> {
        if (r.providers().size() == 1) {
          return io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement
              .newBuilder()
              .setProviderName(r.providers().get(0))
              .build();
        }
      }
      case ALLOW_MISSING ->
          list.addRequirements(
              io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement.newBuilder()
                  .setAllowMissing(Empty.getDefaultInstance()));
      case OPTIONAL ->
          list.addRequirements(
              io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement.newBuilder()
                  .setAllowMissingOrFailed(Empty.getDefaultInstance()));
    }
    return io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement.newBuilder()
        .setRequiresAny(list)
        .build();
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    ir.auth()
        .jwt()
        .ifPresent(
            r ->
                route.putTypedPerFilterConfig(
                    FILTER,
                    Any.pack(PerRouteConfig.newBuilder().setRequirementName(r.name()).build())));
  }
}
