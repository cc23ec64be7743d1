package dev.sluice.policy.route.headers;

import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 *
 *
 * <pre>
 * headers:
 *   request:
 *     set: {x-env: prod}          # replaces any value
 *     add: {x-trace-tag: edge}    # appends
 *     remove: [x-debug]
 *   response:
 *     set: {cache-control: no-store}
 * </pre>
 */
public final class Headers {
  private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9!#$%&'*+.^_`|~-]+$");

  /** Envoy refuses to edit these through header options; use rewrite.host for the host. */
  private static final Set<String> RESERVED =
      Set.of("host", "connection", "transfer-encoding", "te", "upgrade", "keep-alive");

  private Headers() {}

  public static HeadersSpec read(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("request", "response"))) {
      return HeadersSpec.NONE;
    }
    return new HeadersSpec(changes(n.get("request"), f), changes(n.get("response"), f));
  }

  private static HeaderChanges changes(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("set", "add", "remove"))) {
      return HeaderChanges.NONE;
    }
    List<String> remove = new ArrayList<>();
    List<String> names = f.strings(n.get("remove"));
    for (int i = 0; i < names.size(); i++) {
      YamlNode at = n.get("remove").isArray() ? n.get("remove").elements().get(i) : n.get("remove");
      if (valid(names.get(i), at, f)) {
        remove.add(names.get(i).toLowerCase(Locale.ROOT));
      }
    }
    return new HeaderChanges(values(n.get("set"), f), values(n.get("add"), f), remove);
  }

  private static Map<String, String> values(YamlNode n, Fields f) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n.isAbsent() || !f.object(n, n.fields().keySet())) {
      return out;
    }
    n.fields()
        .forEach(
            (name, v) -> {
              if (valid(name, v, f)) {
                f.string(v).ifPresent(s -> out.put(name.toLowerCase(Locale.ROOT), s));
              }
            });
    return out;
  }

  private static boolean valid(String name, YamlNode at, Fields f) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (!NAME.matcher(name).matches()) {
      f.diagnostics()
          .errorAtKey(
              at,
              f.resource(),
              "\""
                  + name
                  + "\" is not a header name you can edit (pseudo-headers such as :path cannot be)");
      return false;
    }
    if (RESERVED.contains(lower)) {
      f.diagnostics()
          .errorAtKey(
              at,
              f.resource(),
              "\""
                  + name
                  + "\" cannot be edited here"
                  + (lower.equals("host") ? " (use rewrite.host)" : ""));
      return false;
    }
    return true;
  }
}
