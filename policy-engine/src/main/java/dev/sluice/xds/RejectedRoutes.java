package dev.sluice.xds;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which entries of a group's route tables an Envoy error names, so that a NACK of a route table
 * blames the policies behind those entries rather than every route of the table: an entry is named
 * by its own name, its virtual host's name, or a regex it holds (Envoy quotes a regex it refuses:
 * {@code regex '[0-9a-f-]{36}' RE2 program size of 112 > ...}). Looked for in the resources as they
 * were sent, so what Envoy read is what is searched.
 */
public final class RejectedRoutes {
  private RejectedRoutes() {}

  /**
   * The origin key of one route entry, under which {@link XdsResources#origins()} holds its policy.
   */
  public static String key(String table, String route) {
    return "route/" + table + "#route:" + route;
  }

  /**
   * Origin keys ({@link #key}) of the entries that the error names, in the named tables (all when
   * the error names none).
   */
  public static List<String> named(XdsResources resources, String error) {
    if (error == null || error.isEmpty()) {
      return List.of();
    }
    List<RouteConfiguration> tables =
        resources.routes().stream().filter(t -> mentions(error, t.getName())).toList();
    Set<String> out = new LinkedHashSet<>();
    for (RouteConfiguration table : tables.isEmpty() ? resources.routes() : tables) {
      for (VirtualHost vh : table.getVirtualHostsList()) {
        boolean host = mentions(error, vh.getName());
        for (Route r : vh.getRoutesList()) {
          if (host
              || mentions(error, r.getName())
              || regexes(r).stream().anyMatch(x -> error.contains("'" + x + "'"))) {
            out.add(key(table.getName(), r.getName()));
          }
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** Whether the text names the resource as a whole word: "users", not "users-v2". */
  public static boolean mentions(String text, String name) {
    return !name.isEmpty()
        && Pattern.compile("(^|[^A-Za-z0-9_.~-])" + Pattern.quote(name) + "($|[^A-Za-z0-9_.~-])")
            .matcher(text)
            .find();
  }

  /** Every regex set anywhere in the message (path, headers, query parameters, rewrites). */
  static List<String> regexes(Message m) {
    List<String> out = new ArrayList<>();
    collect(m, out);
    return out;
  }

  private static void collect(Message m, List<String> out) {
    if (m instanceof RegexMatcher rm) {
      out.add(rm.getRegex());
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
      if (f.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.getKey().isRepeated()) {
        for (Object o : (List<?>) f.getValue()) {
          if (o instanceof Message child) {
            collect(child, out);
          }
        }
      } else if (f.getValue() instanceof Message child) {
        collect(child, out);
      }
    }
  }
}
