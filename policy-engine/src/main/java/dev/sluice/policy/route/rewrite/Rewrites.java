package dev.sluice.policy.route.rewrite;

import dev.sluice.policy.route.Regexes;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.Optional;
import java.util.Set;

/**
 *
 *
 * <pre>
 * rewrite:
 *   prefix: /v2/                                   # the matched prefix becomes /v2/
 *   regex: {pattern: "^/api/(.*)$", with: "/\\1"}  # or a regex rewrite of the path
 *   host: internal.example.com                     # the Host sent upstream
 * </pre>
 */
public final class Rewrites {
  private Rewrites() {}

  /**
   * @param prefixMatch whether the route matches by prefix (a prefix rewrite needs one)
   */
  public static Optional<RewriteSpec> read(YamlNode n, Fields f, boolean prefixMatch) {
    if (n.isAbsent() || !f.object(n, Set.of("prefix", "regex", "host"))) {
      return Optional.empty();
    }
    Optional<String> prefix = f.string(n.get("prefix"));
    if (prefix.isPresent() && !prefix.get().startsWith("/")) {
      f.error(n.get("prefix"), "a path prefix starts with '/', got \"" + prefix.get() + "\"");
    }
    if (prefix.isPresent() && !prefixMatch) {
      f.error(
          n.get("prefix"), "a prefix rewrite needs a route that matches by prefix (match.prefix)");
    }
    Optional<String> pattern = Optional.empty();
    Optional<String> with = Optional.empty();
    YamlNode regex = n.get("regex");
    if (!regex.isAbsent() && f.object(regex, Set.of("pattern", "with"))) {
      pattern = f.requiredString(regex.get("pattern"));
      pattern.flatMap(Regexes::problem).ifPresent(p -> f.error(regex.get("pattern"), p));
      with = f.string(regex.get("with"));
      if (with.isEmpty() && !regex.get("with").isMissing()) {
        // an explicit null/empty value is allowed: it removes what matched
        with = Optional.of("");
      } else if (regex.get("with").isMissing()) {
        f.error(regex.get("with"), "required field is missing: the substitution, e.g. \"/\\\\1\"");
      }
    }
    if (prefix.isPresent() && pattern.isPresent()) {
      f.error(n, "give prefix or regex, not both");
    }
    Optional<String> host = f.string(n.get("host"));
    return Optional.of(new RewriteSpec(prefix, pattern, with, host));
  }
}
