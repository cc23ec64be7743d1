package dev.sluice.policy.route;

import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.Source;
import java.time.Duration;
import java.util.List;

/**
 * One HTTP route: a match and where matching requests go.
 *
 * @param gateway the gateway it attaches to; empty until the loader resolves the default
 * @param hosts host names; empty means the gateway's hosts
 * @param backends where requests go; empty when the route redirects or responds itself
 */
public record RouteSpec(
    String name,
    Source source,
    String gateway,
    List<String> hosts,
    PathMatch path,
    List<HeaderMatch> headers,
    List<String> methods,
    List<Backend> backends,
    Duration timeout,
    RouteOptions options)
    implements PolicyResource {
  public static final String KIND = "Route";

  @Override
  public String kind() {
    return KIND;
  }

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  public RouteSpec {
    hosts = List.copyOf(hosts);
    headers = List.copyOf(headers);
    methods = List.copyOf(methods);
    backends = List.copyOf(backends);
  }

  public RouteSpec withGateway(String gateway) {
    return new RouteSpec(
        name, source, gateway, hosts, path, headers, methods, backends, timeout, options);
  }

  /** How the request path is matched. */
  public record PathMatch(PathMatch.Type type, String value) {
    public enum Type {
      PREFIX,
      EXACT,
      REGEX
    }

    public static final PathMatch ALL = new PathMatch(PathMatch.Type.PREFIX, "/");
  }

  /** A request header condition. {@code value} is empty for PRESENT and ABSENT. */
  public record HeaderMatch(String name, HeaderMatch.Type type, String value) {
    public enum Type {
      EXACT,
      REGEX,
      PRESENT,
      ABSENT
    }
  }

  /**
   * A destination service, optionally narrowed to the instances that carry all of {@code tags}
   * (Consul tags, or {@code tags} in the file registry), and its share of the traffic.
   */
  public record Backend(String service, List<String> tags, int weight, Source source) {
    public Backend {
      tags = List.copyOf(tags);
    }
  }
}
