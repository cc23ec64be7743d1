package dev.sluice.policy.access;

import dev.sluice.policy.Source;
import java.util.List;
import java.util.Map;

/**
 * One allow or deny statement. A rule matches a request when every condition it gives matches
 * (within a condition, any listed value will do); a rule with no condition matches everything.
 *
 * @param ips client address ranges in CIDR form ({@code 10.0.0.0/8}), the client as found after the
 *     gateway's trusted hops
 * @param paths paths and everything below them ({@code /admin} covers {@code /admin/x}), matched
 *     after Envoy normalised the path
 * @param claims JWT claims that must have these values (a list claim must contain the value)
 * @param scopes OAuth scopes the token must carry (in the claim "scope" or "scp")
 * @param consumers Consumer names (from API keys or basic auth)
 */
public record AccessRule(
    boolean allow,
    List<String> ips,
    List<String> paths,
    List<String> methods,
    Map<String, String> headers,
    Map<String, String> claims,
    List<String> scopes,
    List<String> consumers,
    Source source) {
  public AccessRule {
    ips = List.copyOf(ips);
    paths = List.copyOf(paths);
    methods = List.copyOf(methods);
    headers = Map.copyOf(headers);
    claims = Map.copyOf(claims);
    scopes = List.copyOf(scopes);
    consumers = List.copyOf(consumers);
  }

  /** How many kinds of condition the rule gives: the more, the more specific. */
  public int specificity() {
    return (ips.isEmpty() ? 0 : 1)
        + (paths.isEmpty() ? 0 : 1)
        + (methods.isEmpty() ? 0 : 1)
        + headers.size()
        + claims.size()
        + (scopes.isEmpty() ? 0 : 1)
        + (consumers.isEmpty() ? 0 : 1);
  }

  public boolean needsJwt() {
    return !claims.isEmpty() || !scopes.isEmpty();
  }
}
