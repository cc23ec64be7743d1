package dev.sluice.policy.route;

import dev.sluice.policy.CrossCheck;
import dev.sluice.policy.CrossChecks;
import dev.sluice.policy.Names;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.Source;
import dev.sluice.policy.access.Access;
import dev.sluice.policy.auth.Auth;
import dev.sluice.policy.cors.Cors;
import dev.sluice.policy.globalratelimit.GlobalRateLimits;
import dev.sluice.policy.ratelimit.RateLimits;
import dev.sluice.policy.route.RouteOptions.QueryMatch;
import dev.sluice.policy.route.RouteSpec.Backend;
import dev.sluice.policy.route.RouteSpec.HeaderMatch;
import dev.sluice.policy.route.RouteSpec.PathMatch;
import dev.sluice.policy.route.grpcjson.GrpcJson;
import dev.sluice.policy.route.headers.Headers;
import dev.sluice.policy.route.mirror.Mirrors;
import dev.sluice.policy.route.redirect.RedirectSpec;
import dev.sluice.policy.route.redirect.Redirects;
import dev.sluice.policy.route.respond.DirectResponseSpec;
import dev.sluice.policy.route.respond.DirectResponses;
import dev.sluice.policy.route.retry.Retries;
import dev.sluice.policy.route.rewrite.Rewrites;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 *
 *
 * <pre>
 * kind: Route
 * name: users
 * gateway: edge              # default: the only gateway
 * hosts: [api.example.com]   # default: the gateway's hosts
 * match:
 *   prefix: /users           # or exact: /users, or regex: ^/users/[0-9]+$ (default prefix /)
 *   methods: [GET, POST]
 *   headers:
 *     x-canary: "true"                # exact value
 *     x-user: {regex: "^u-[0-9]+$"}
 *     x-debug: {present: true}        # present: false means "absent"
 *   query: {version: "2", debug: {present: true}}
 * to: users                  # or a list: [{service: users, weight: 90}, {service: users-v2, weight: 10}]
 *                            # a list entry may pick instances by tag: {service: users, tags: [v2], weight: 10}
 * timeout: 2s                # default 15s; 0s disables
 * idleTimeout: 30s
 * retries: {attempts: 3}     # see retry.Retries
 * headers: {request: {set: {x-env: prod}}}   # see headers.Headers
 * rewrite: {prefix: /v2/}    # see rewrite.Rewrites
 * mirror: {service: users-shadow, percent: 10}
 * # instead of 'to': redirect: {scheme: https} (redirect.Redirects) or respond: {status: 200, body: ok}
 * </pre>
 */
public final class RouteKind implements PolicyKind<RouteSpec> {
  static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE");
  private static final Pattern HEADER_NAME = Pattern.compile("^:?[a-zA-Z0-9!#$%&'*+.^_`|~-]+$");

  @Override
  public String kind() {
    return RouteSpec.KIND;
  }

  @Override
  public Class<RouteSpec> type() {
    return RouteSpec.class;
  }

  @Override
  public Set<String> groups(RouteSpec spec, PolicySet set) {
    return Set.of(spec.gateway());
  }

  @Override
  public List<CrossCheck> checks() {
    return List.of((set, declared, d) -> CrossChecks.shadowedRoutes(set, d));
  }

  @Override
  public Set<String> fields() {
    return Set.of(
        "kind",
        "name",
        "gateway",
        "hosts",
        "match",
        "to",
        "timeout",
        "idleTimeout",
        "retries",
        "headers",
        "rewrite",
        "redirect",
        "respond",
        "mirror",
        "cors",
        "compression",
        "cache",
        "grpcJson",
        "rateLimit",
        "auth",
        "access",
        "globalRateLimit");
  }

  @Override
  public Optional<RouteSpec> read(String name, YamlNode doc, Fields f, Source source) {
    String gateway = f.string(doc.get("gateway")).orElse("");
    List<String> hosts = Names.hosts(doc.get("hosts"), f);
    YamlNode match = doc.get("match");
    PathMatch path = PathMatch.ALL;
    List<HeaderMatch> headers = List.of();
    List<String> methods = List.of();
    List<QueryMatch> queries = List.of();
    if (!match.isAbsent()
        && f.object(match, Set.of("prefix", "exact", "regex", "methods", "headers", "query"))) {
      path = path(match, f);
      headers = headers(match.get("headers"), f);
      methods = methods(match.get("methods"), f);
      queries = queries(match.get("query"), f);
    }
    boolean prefixMatch = path != null && path.type() == PathMatch.Type.PREFIX;
    Optional<RedirectSpec> redirect = Redirects.read(doc.get("redirect"), f, prefixMatch);
    Optional<DirectResponseSpec> respond = DirectResponses.read(doc.get("respond"), f);
    int answers =
        (doc.get("to").isAbsent() ? 0 : 1)
            + (doc.get("redirect").isAbsent() ? 0 : 1)
            + (doc.get("respond").isAbsent() ? 0 : 1);
    if (answers > 1) {
      f.error(doc, "give only one of to, redirect and respond");
    }
    // A route forwards unless it redirects or responds; then 'to' is required (and reported if
    // missing).
    boolean forwards =
        !doc.get("to").isAbsent()
            || (doc.get("redirect").isAbsent() && doc.get("respond").isAbsent());
    List<Backend> backends = forwards ? backends(doc.get("to"), f) : List.of();
    if (!forwards) {
      for (String field :
          List.of("timeout", "retries", "rewrite", "mirror", "idleTimeout", "cache", "grpcJson")) {
        if (!doc.get(field).isAbsent()) {
          f.error(
              doc.get(field),
              field + " applies to routes that forward with 'to', not to redirect or respond");
        }
      }
    }
    Duration timeout = f.duration(doc.get("timeout")).orElse(RouteSpec.DEFAULT_TIMEOUT);
    RouteOptions options =
        new RouteOptions(
            queries,
            Headers.read(doc.get("headers"), f),
            redirect,
            respond,
            new RouteOptions.Forwarding(
                f.duration(doc.get("idleTimeout")),
                Retries.read(doc.get("retries"), f),
                Rewrites.read(doc.get("rewrite"), f, prefixMatch),
                Mirrors.read(doc.get("mirror"), f)),
            new RouteOptions.Filters(
                Cors.read(doc.get("cors"), f),
                compressionOff(doc.get("compression"), f),
                f.bool(doc.get("cache")).orElse(false),
                GrpcJson.read(doc.get("grpcJson"), f)),
            new RouteOptions.Limits(
                RateLimits.read(doc.get("rateLimit"), f),
                GlobalRateLimits.read(doc.get("globalRateLimit"), f, false)),
            new RouteOptions.Security(
                Auth.read(doc.get("auth"), f), Access.read(doc.get("access"), f)));
    if (path == null || answers > 1 || (forwards && backends.isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(
        new RouteSpec(
            name, source, gateway, hosts, path, headers, methods, backends, timeout, options));
  }

  /** A route can only turn the gateway's compression off: {@code compression: false}. */
  private static boolean compressionOff(YamlNode n, Fields f) {
    Optional<Boolean> b = f.bool(n);
    if (b.isPresent() && b.get()) {
      f.error(
          n,
          "compression is set on the Gateway; a route can only turn it off with compression: false");
    }
    return b.isPresent() && !b.get();
  }

  private static List<QueryMatch> queries(YamlNode n, Fields f) {
    List<QueryMatch> out = new ArrayList<>();
    if (n.isAbsent() || !f.object(n, n.fields().keySet())) {
      return out;
    }
    for (var e : n.fields().entrySet()) {
      String param = e.getKey();
      YamlNode v = e.getValue();
      if (v.isScalar() && !v.value().isNull()) {
        f.string(v).ifPresent(s -> out.add(new QueryMatch(param, QueryMatch.Type.EXACT, s)));
      } else if (v.isObject() && f.object(v, Set.of("exact", "regex", "present"))) {
        if (v.fields().size() != 1) {
          f.error(v, "give exactly one of exact, regex and present");
          continue;
        }
        f.string(v.get("exact"))
            .ifPresent(s -> out.add(new QueryMatch(param, QueryMatch.Type.EXACT, s)));
        f.string(v.get("regex"))
            .ifPresent(
                s ->
                    Regexes.problem(s)
                        .ifPresentOrElse(
                            p -> f.error(v.get("regex"), p),
                            () -> out.add(new QueryMatch(param, QueryMatch.Type.REGEX, s))));
        f.bool(v.get("present"))
            .ifPresent(
                b -> {
                  if (b) {
                    out.add(new QueryMatch(param, QueryMatch.Type.PRESENT, ""));
                  } else {
                    f.error(
                        v.get("present"),
                        "Envoy cannot match an absent query parameter; only present: true is supported");
                  }
                });
      } else if (!v.isObject()) {
        f.error(v, "expected a value, or a map with exact, regex or present; got " + v.typeName());
      }
    }
    return out;
  }

  private static PathMatch path(YamlNode match, Fields f) {
    List<PathMatch> given = new ArrayList<>();
    for (PathMatch.Type type : PathMatch.Type.values()) {
      YamlNode n = match.get(type.name().toLowerCase(Locale.ROOT));
      if (n.isAbsent()) {
        continue;
      }
      Optional<String> value = f.string(n);
      if (value.isEmpty()) {
        return null;
      }
      String v = value.get();
      if (type == PathMatch.Type.REGEX) {
        Optional<String> problem = Regexes.problem(v);
        if (problem.isPresent()) {
          f.error(n, problem.get());
          return null;
        }
      } else if (!v.startsWith("/")) {
        f.error(n, "a path must start with '/', got \"" + v + "\"");
        return null;
      }
      given.add(new PathMatch(type, v));
    }
    if (given.size() > 1) {
      f.error(match, "give only one of prefix, exact and regex");
      return null;
    }
    return given.isEmpty() ? PathMatch.ALL : given.get(0);
  }

  private static List<HeaderMatch> headers(YamlNode n, Fields f) {
    List<HeaderMatch> out = new ArrayList<>();
    if (n.isAbsent()) {
      return out;
    }
    if (!f.object(n, n.fields().keySet())) {
      return out;
    }
    for (var e : n.fields().entrySet()) {
      String header = e.getKey();
      YamlNode v = e.getValue();
      if (!HEADER_NAME.matcher(header).matches()) {
        f.diagnostics()
            .errorAtKey(v, f.resource(), "\"" + header + "\" is not a valid header name");
        continue;
      }
      String lower = header.toLowerCase(Locale.ROOT);
      if (v.isScalar() && !v.value().isNull()) {
        f.string(v).ifPresent(s -> out.add(new HeaderMatch(lower, HeaderMatch.Type.EXACT, s)));
      } else if (v.isObject() && f.object(v, Set.of("exact", "regex", "present"))) {
        if (v.fields().size() != 1) {
          f.error(v, "give exactly one of exact, regex and present");
          continue;
        }
        f.string(v.get("exact"))
            .ifPresent(s -> out.add(new HeaderMatch(lower, HeaderMatch.Type.EXACT, s)));
        f.string(v.get("regex"))
            .ifPresent(
                s ->
                    Regexes.problem(s)
                        .ifPresentOrElse(
                            p -> f.error(v.get("regex"), p),
                            () -> out.add(new HeaderMatch(lower, HeaderMatch.Type.REGEX, s))));
        f.bool(v.get("present"))
            .ifPresent(
                b ->
                    out.add(
                        new HeaderMatch(
                            lower, b ? HeaderMatch.Type.PRESENT : HeaderMatch.Type.ABSENT, "")));
      } else if (!v.isObject()) {
        f.error(v, "expected a value, or a map with exact, regex or present; got " + v.typeName());
      }
    }
    return out;
  }

  private static List<String> methods(YamlNode n, Fields f) {
    List<String> methods = f.strings(n);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < methods.size(); i++) {
      String m = methods.get(i).toUpperCase(Locale.ROOT);
      if (!METHODS.contains(m)) {
        f.error(
            n.isArray() ? n.elements().get(i) : n,
            "unknown HTTP method \"" + methods.get(i) + "\"");
      } else if (!out.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  private static List<Backend> backends(YamlNode to, Fields f) {
    List<Backend> out = new ArrayList<>();
    if (to.isAbsent()) {
      f.error(
          to, "required field is missing: name the service to send traffic to, e.g. 'to: users'");
      return out;
    }
    List<YamlNode> items = to.isArray() ? to.elements() : List.of(to);
    if (items.isEmpty()) {
      f.error(to, "needs at least one service");
      return out;
    }
    boolean valid = true;
    for (YamlNode item : items) {
      Backend b = backend(item, f);
      if (b == null) {
        valid = false;
      } else {
        out.add(b);
      }
    }
    if (!valid) {
      return List.of();
    }
    if (out.stream().mapToInt(Backend::weight).sum() == 0) {
      f.error(to, "weights sum to 0: at least one service needs a weight above 0");
      return List.of();
    }
    return out;
  }

  private static Backend backend(YamlNode item, Fields f) {
    Source source = new Source(item.file(), item.position());
    if (item.isScalar()) {
      return Names.name(item, f).map(s -> new Backend(s, List.of(), 1, source)).orElse(null);
    }
    if (!f.object(item, Set.of("service", "tags", "weight"))) {
      return null;
    }
    List<String> tags = f.strings(item.get("tags"));
    if (tags.stream().anyMatch(String::isBlank)) {
      f.error(item.get("tags"), "tags must not be empty strings");
      return null;
    }
    Optional<String> service = Names.name(item.get("service"), f);
    var weight = f.integer(item.get("weight"), 0, 1_000_000);
    boolean badWeight = !item.get("weight").isAbsent() && weight.isEmpty();
    if (service.isEmpty() || badWeight) {
      return null;
    }
    return new Backend(service.get(), tags, weight.orElse(1), source);
  }
}
