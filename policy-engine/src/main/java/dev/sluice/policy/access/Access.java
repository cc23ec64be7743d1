package dev.sluice.policy.access;

import dev.sluice.policy.Source;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 *
 *
 * <pre>
 * access:
 *   - deny:  {ips: [203.0.113.0/24]}
 *   - allow: {methods: [POST], paths: [/orders], scopes: ["orders:write"]}
 *   - allow: {methods: [GET]}
 * </pre>
 *
 * Conditions: {@code ips}, {@code paths}, {@code methods}, {@code headers} (name → exact value),
 * {@code claims} (name → value), {@code scopes}, {@code consumers}.
 *
 * <p>The most specific matching rule decides (the one giving the most kinds of condition); on a tie
 * deny wins, then the earlier rule. When any rule exists, a request no rule matches is denied
 * (403).
 */
public final class Access {
  static final Set<String> CONDITIONS =
      Set.of("ips", "paths", "methods", "headers", "claims", "scopes", "consumers");
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");
  private static final Pattern HEADER = Pattern.compile("^[a-zA-Z0-9-]+$");

  /**
   * Orders rules the way they are evaluated: most specific first, deny before allow, then as
   * written.
   */
  public static final Comparator<AccessRule> EVALUATION_ORDER =
      Comparator.comparingInt(AccessRule::specificity).reversed().thenComparing(r -> r.allow());

  private Access() {}

  public static List<AccessRule> read(YamlNode n, Fields f) {
    List<AccessRule> out = new ArrayList<>();
    if (n.isAbsent()) {
      return out;
    }
    if (!n.isArray()) {
      f.error(n, "expected a list of rules like - allow: {ips: [10.0.0.0/8]}, got " + n.typeName());
      return out;
    }
    for (YamlNode rule : n.elements()) {
      if (!f.object(rule, Set.of("allow", "deny"))) {
        continue;
      }
      boolean allow = rule.fields().containsKey("allow");
      boolean deny = rule.fields().containsKey("deny");
      if (allow == deny) {
        if (allow || rule.fields().isEmpty()) {
          f.error(rule, "give exactly one of allow and deny");
        }
        continue; // otherwise the unknown field is reported already
      }
      YamlNode c = rule.get(allow ? "allow" : "deny");
      conditions(allow, c, f, CONDITIONS, new Source(rule.file(), rule.position()))
          .ifPresent(out::add);
    }
    return out;
  }

  /**
   * Reads one object of conditions ({@code {paths: [/a], methods: [GET]}}) limited to {@code
   * allowed}; an empty object or {@code null} is a rule that matches everything. Also used by other
   * kinds that take request conditions (ServiceAccess's {@code when}).
   */
  public static Optional<AccessRule> conditions(
      boolean allow, YamlNode c, Fields f, Set<String> allowed, Source source) {
    if ((c.isScalar() && c.value().isNull()) || (c.isObject() && c.fields().isEmpty())) {
      return Optional.of(
          new AccessRule(
              allow, List.of(), List.of(), List.of(), Map.of(), Map.of(), List.of(), List.of(),
              source));
    }
    if (!f.object(c, allowed)) {
      return Optional.empty();
    }
    List<String> ips = new ArrayList<>();
    List<String> given = f.strings(c.get("ips"));
    for (int i = 0; i < given.size(); i++) {
      String cidr = cidr(given.get(i));
      if (cidr == null) {
        f.error(
            c.get("ips").isArray() ? c.get("ips").elements().get(i) : c.get("ips"),
            "\""
                + given.get(i)
                + "\" is not an IP address or CIDR range (examples: 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)");
      } else {
        ips.add(cidr);
      }
    }
    List<String> paths = f.strings(c.get("paths"));
    for (String p : paths) {
      if (!p.startsWith("/")) {
        f.error(c.get("paths"), "\"" + p + "\" must start with /");
      }
    }
    List<String> methods =
        f.strings(c.get("methods")).stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
    for (String m : methods) {
      if (!METHODS.contains(m)) {
        f.error(c.get("methods"), "\"" + m + "\" is not an HTTP method");
      }
    }
    Map<String, String> headers = map(c.get("headers"), f, true);
    Map<String, String> claims = map(c.get("claims"), f, false);
    return Optional.of(
        new AccessRule(
            allow,
            ips,
            paths.stream()
                .map(p -> p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p)
                .toList(),
            methods,
            headers,
            claims,
            f.strings(c.get("scopes")),
            f.strings(c.get("consumers")),
            source));
  }

  private static Map<String, String> map(YamlNode n, Fields f, boolean headerNames) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n.isAbsent() || !f.object(n, n.fields().keySet())) {
      return out;
    }
    n.fields()
        .forEach(
            (k, v) ->
                f.string(v)
                    .ifPresent(
                        s -> {
                          if (headerNames && !HEADER.matcher(k).matches()) {
                            f.error(v, "\"" + k + "\" is not a header name");
                          } else {
                            out.put(headerNames ? k.toLowerCase(Locale.ROOT) : k, s);
                          }
                        }));
    return out;
  }

  /**
   * {@code 10.1.2.3} → {@code 10.1.2.3/32}; a range keeps its length, its address masked. Null when
   * invalid.
   */
  static String cidr(String s) {
    String[] parts = s.trim().split("/", -1);
    if (parts.length > 2
        || !(parts[0].matches("\\d{1,3}(\\.\\d{1,3}){3}")
            || parts[0].matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*"))) {
      return null;
    }
    // the patterns above keep InetAddress from ever resolving a host name
    try {
      InetAddress a = InetAddress.getByName(parts[0]);
      int max = a.getAddress().length * 8;
      int len = parts.length == 2 ? Integer.parseInt(parts[1]) : max;
      if (len < 0 || len > max) {
        return null;
      }
      byte[] b = a.getAddress();
      for (int i = 0; i < b.length; i++) {
        int keep = Math.max(0, Math.min(8, len - i * 8));
        b[i] = (byte) (b[i] & (0xff << (8 - keep)));
      }
      return InetAddress.getByAddress(b).getHostAddress() + "/" + len;
    } catch (UnknownHostException | NumberFormatException e) {
      return null;
    }
  }
}
