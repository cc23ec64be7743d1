package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Sluice's Lua filter scripts, read from {@code lua/} on the classpath and inlined into the config.
 */
final class LuaScripts {
  private LuaScripts() {}

  /**
   * A Lua filter that runs {@code script} on the route already chosen. The route was chosen, and
   * the filters before this one applied its checks, with the credential still in the request;
   * matching again without it could pick another route whose checks never ran, so removing a
   * credential does not clear the route cache.
   */
  static HttpFilter filter(String name, String statPrefix, String script) {
    return HttpFilter.newBuilder()
        .setName(name)
        .setTypedConfig(
            Any.pack(
                Lua.newBuilder()
                    .setStatPrefix(statPrefix)
                    .setClearRouteCache(BoolValue.of(false))
                    .setDefaultSourceCode(DataSource.newBuilder().setInlineString(script))
                    .build()))
        .build();
  }

  /**
   * The named scripts as one chunk, in the given order, so later ones can use earlier ones'
   * functions.
   */
  static String load(String... names) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      try (InputStream in = LuaScripts.class.getResourceAsStream("/lua/" + name)) {
        if (in == null) {
          throw new IllegalStateException("lua/" + name + " is missing from the classpath");
        }
        if (!out.isEmpty()) {
          out.append('\n');
        }
        out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out.toString();
  }
}
