package dev.sluice.policy.cors;

import dev.sluice.policy.route.Regexes;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 *
 *
 * <pre>
 * cors:
 *   allowOrigins: [https://app.example.com, "*.example.com"]   # required; "*" allows any
 *   allowMethods: [GET, POST]
 *   allowHeaders: [content-type, authorization]
 *   exposeHeaders: [x-request-id]
 *   maxAge: 1h
 *   allowCredentials: true       # not with "*" (browsers refuse it)
 * </pre>
 */
public final class Cors {
  private static final Pattern ORIGIN =
      Pattern.compile("^(\\*|https?://(\\*\\.)?[a-zA-Z0-9.-]+(:\\d{1,5})?|\\*\\.[a-zA-Z0-9.-]+)$");
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

  private Cors() {}

  public static Optional<CorsSpec> read(YamlNode n, Fields f) {
    if (n.isAbsent()
        || !f.object(
            n,
            Set.of(
                "allowOrigins",
                "allowMethods",
                "allowHeaders",
                "exposeHeaders",
                "maxAge",
                "allowCredentials"))) {
      return Optional.empty();
    }
    List<String> origins = f.strings(n.get("allowOrigins"));
    if (n.get("allowOrigins").isAbsent()) {
      f.error(
          n.get("allowOrigins"),
          "required field is missing: the origins allowed, e.g. [https://app.example.com]");
    }
    for (int i = 0; i < origins.size(); i++) {
      YamlNode at =
          n.get("allowOrigins").isArray()
              ? n.get("allowOrigins").elements().get(i)
              : n.get("allowOrigins");
      if (!ORIGIN.matcher(origins.get(i)).matches()) {
        f.error(
            at,
            "\""
                + origins.get(i)
                + "\" is not an origin (scheme://host[:port], *.example.com or *)");
      } else {
        // a wildcard becomes an RE2 expression, which Envoy refuses past its program size
        String origin = origins.get(i);
        Origins.regex(origin)
            .flatMap(Regexes::problem)
            .ifPresent(
                problem ->
                    f.error(at, "\"" + origin + "\" is a wildcard Envoy cannot match: " + problem));
      }
    }
    List<String> methods =
        f.strings(n.get("allowMethods")).stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
    for (int i = 0; i < methods.size(); i++) {
      if (!METHODS.contains(methods.get(i))) {
        f.error(
            n.get("allowMethods").isArray()
                ? n.get("allowMethods").elements().get(i)
                : n.get("allowMethods"),
            "unknown HTTP method \"" + methods.get(i) + "\"");
      }
    }
    boolean credentials = f.bool(n.get("allowCredentials")).orElse(false);
    if (credentials && origins.contains("*")) {
      f.error(
          n.get("allowCredentials"),
          "browsers refuse credentials with the origin \"*\": list the origins");
    }
    return Optional.of(
        new CorsSpec(
            origins,
            methods,
            f.strings(n.get("allowHeaders")),
            f.strings(n.get("exposeHeaders")),
            f.duration(n.get("maxAge")),
            credentials));
  }
}
