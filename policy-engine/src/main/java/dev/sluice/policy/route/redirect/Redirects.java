package dev.sluice.policy.route.redirect;

import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.Optional;
import java.util.Set;

/**
 *
 *
 * <pre>
 * redirect:
 *   scheme: https
 *   host: www.example.com
 *   port: 8443
 *   path: /new            # or prefix: /new/ (replaces the matched prefix)
 *   code: 301             # 301 (default), 302, 303, 307 or 308
 * </pre>
 */
public final class Redirects {
  static final Set<Integer> CODES = Set.of(301, 302, 303, 307, 308);

  private Redirects() {}

  public static Optional<RedirectSpec> read(YamlNode n, Fields f, boolean prefixMatch) {
    if (n.isAbsent() || !f.object(n, Set.of("scheme", "host", "port", "path", "prefix", "code"))) {
      return Optional.empty();
    }
    Optional<String> scheme = f.string(n.get("scheme"));
    if (scheme.isPresent() && !scheme.get().equals("http") && !scheme.get().equals("https")) {
      f.error(n.get("scheme"), "expected http or https, got \"" + scheme.get() + "\"");
    }
    var port = f.integer(n.get("port"), 1, 65535);
    Optional<String> path = f.string(n.get("path"));
    Optional<String> prefix = f.string(n.get("prefix"));
    path.filter(p -> !p.startsWith("/"))
        .ifPresent(p -> f.error(n.get("path"), "a path starts with '/', got \"" + p + "\""));
    prefix
        .filter(p -> !p.startsWith("/"))
        .ifPresent(
            p -> f.error(n.get("prefix"), "a path prefix starts with '/', got \"" + p + "\""));
    if (path.isPresent() && prefix.isPresent()) {
      f.error(n, "give path or prefix, not both");
    }
    if (prefix.isPresent() && !prefixMatch) {
      f.error(
          n.get("prefix"), "a prefix redirect needs a route that matches by prefix (match.prefix)");
    }
    var code = f.integer(n.get("code"), 300, 399);
    if (code.isPresent() && !CODES.contains(code.getAsInt())) {
      f.error(
          n.get("code"), code.getAsInt() + " is not a redirect code (301, 302, 303, 307 or 308)");
    }
    return Optional.of(
        new RedirectSpec(
            scheme,
            f.string(n.get("host")),
            port.isPresent() ? Optional.of(port.getAsInt()) : Optional.empty(),
            path,
            prefix,
            code.orElse(301)));
  }
}
