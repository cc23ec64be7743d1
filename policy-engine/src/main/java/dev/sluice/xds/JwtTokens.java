package dev.sluice.xds;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.JwtRequirement;
import dev.sluice.policy.jwt.JwtProviderSpec.TokenSource;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * Removes JWTs from requests before they go upstream: a Lua filter right after jwt_authn, told by
 * each route's metadata where its providers look for tokens (see {@code lua/jwt-token.lua} for why
 * Envoy's own removal is not used).
 */
final class JwtTokens implements HttpFilterFeature {
  static final String FILTER = "sluice.jwt_token";
  private static final String SCRIPT = LuaScripts.load("query.lua", "jwt-token.lua");

  @Override
  public String name() {
    return FILTER;
  }

  /** Wherever jwt_authn is: the token it verified is removed right after it. */
  @Override
  public boolean needed(HttpListener l) {
    return !l.auth().jwtProviders().isEmpty();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(LuaScripts.filter(FILTER, "jwt_token", SCRIPT));
  }

  @Override
  public List<Descriptor> types() {
    return List.of(Lua.getDescriptor());
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    ir.auth()
        .jwt()
        .map(JwtTokens::metadata)
        .ifPresent(
            tokens -> {
              Metadata.Builder m =
                  route.hasMetadata() ? route.getMetadata().toBuilder() : Metadata.newBuilder();
              route.setMetadata(m.putFilterMetadata(FILTER, tokens));
            });
  }

  private static Struct metadata(JwtRequirement r) {
    ListValue.Builder headers = ListValue.newBuilder();
    ListValue.Builder query = ListValue.newBuilder();
    ListValue.Builder cookies = ListValue.newBuilder();
    for (TokenSource s : r.tokenFrom()) {
      switch (s.type()) {
        case HEADER ->
            headers.addValues(
                Value.newBuilder()
                    .setStructValue(
                        Struct.newBuilder()
                            .putFields("name", string(s.name()))
                            .putFields("prefix", string(s.prefix()))));
        case QUERY -> query.addValues(string(s.name()));
        case COOKIE -> cookies.addValues(string(s.name()));
      }
    }
    Struct.Builder out = Struct.newBuilder();
    if (headers.getValuesCount() > 0) {
      out.putFields("headers", Value.newBuilder().setListValue(headers).build());
    }
    if (query.getValuesCount() > 0) {
      out.putFields("query", Value.newBuilder().setListValue(query).build());
    }
    if (cookies.getValuesCount() > 0) {
      out.putFields("cookies", Value.newBuilder().setListValue(cookies).build());
    }
    return out.build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
