package dev.sluice.xds;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Sluice's Lua filter scripts, read from {@code lua/} on the classpath and inlined into the config. */
final class LuaScripts {
  private LuaScripts() {}

  /** The named scripts as one chunk, in the given order, so later ones can use earlier ones' functions. */
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
