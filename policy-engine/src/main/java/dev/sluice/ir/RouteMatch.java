package dev.sluice.ir;

import dev.sluice.policy.route.RouteOptions.QueryMatch;
import java.util.List;


public record RouteMatch(
    PathKind pathKind, String path, List<HeaderCondition> headers, List<String> methods, List<QueryMatch> queries) {
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

  public record HeaderCondition(String name, Kind kind, String value) {
    public enum Kind {
      EXACT,
      REGEX,
      PRESENT,
      ABSENT
    }
  }
}
