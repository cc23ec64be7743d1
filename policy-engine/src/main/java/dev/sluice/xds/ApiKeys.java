package dev.sluice.xds;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.sluice.ir.ApiKeyCheck;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * API keys → a Lua filter that hashes the key a client sends and looks the digest up in the route's
 * metadata (see {@code lua/api-key.lua} for why it is Lua). Only digests reach Envoy.
 */
final class ApiKeys implements HttpFilterFeature {
  static final String FILTER = "sluice.api_key";
  private static final String SCRIPT = LuaScripts.load("query.lua", "api-key.lua");

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.anyRoute(r -> r.auth().apiKey().isPresent());
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(LuaScripts.filter(FILTER, "api_key", SCRIPT));
  }

  @Override
  public List<Descriptor> types() {
    return List.of(Lua.getDescriptor());
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    ir.auth()
        .apiKey()
        .ifPresent(
            k -> {
              Metadata.Builder m =
                  route.hasMetadata() ? route.getMetadata().toBuilder() : Metadata.newBuilder();
              route.setMetadata(m.putFilterMetadata(FILTER, metadata(k)));
            });
  }

  private static Struct metadata(ApiKeyCheck k) {
    Struct.Builder consumers = Struct.newBuilder();
    k.consumerBySha256()
        .forEach(
            (hash, name) ->
                consumers.putFields(hash, Value.newBuilder().setStringValue(name).build()));
    return Struct.newBuilder()
        .putFields("header", Value.newBuilder().setStringValue(k.header()).build())
        .putFields("query", Value.newBuilder().setStringValue(k.query()).build())
        .putFields("consumers", Value.newBuilder().setStructValue(consumers).build())
        .build();
  }
}
