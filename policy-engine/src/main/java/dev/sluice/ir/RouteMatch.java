package dev.sluice.ir;

import dev.sluice.policy.route.RouteOptions.QueryMatch;
import dev.sluice.policy.route.RouteSpec.HeaderMatch;
import java.util.List;

/**
 * What a request must look like. Header and query conditions are the policy's own value records
 * (plain data), as the route actions' leaf settings are.
 */
public record RouteMatch(
    PathKind pathKind,
    String path,
    List<HeaderMatch> headers,
    List<String> methods,
    List<QueryMatch> queries) {
  public enum PathKind {
    PREFIX,
    EXACT,
    REGEX
  }

  public RouteMatch {
    headers = List.copyOf(headers);
    methods = List.copyOf(methods);
    queries = List.copyOf(queries);
  }
}
