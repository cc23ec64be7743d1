package dev.sluice.xds;

import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.RouteMatch;
import dev.sluice.policy.route.RouteOptions.QueryMatch;
import dev.sluice.policy.route.RouteSpec.HeaderMatch;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/** Path (prefix, exact, regex), headers, methods (as the :method header) and query parameters. */
final class MatchFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    var match = io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder();
    RouteMatch m = ir.match();
    switch (m.pathKind()) {
      case PREFIX -> match.setPrefix(m.path());
      case EXACT -> match.setPath(m.path());
      case REGEX -> match.setSafeRegex(Protos.regex(m.path()));
    }
    for (HeaderMatch h : m.headers()) {
      match.addHeaders(header(h));
    }
    if (!m.methods().isEmpty()) {
      StringMatcher method =
          m.methods().size() == 1
              ? StringMatcher.newBuilder().setExact(m.methods().get(0)).build()
              : StringMatcher.newBuilder()
                  .setSafeRegex(Protos.regex("^(" + String.join("|", m.methods()) + ")$"))
                  .build();
      match.addHeaders(HeaderMatcher.newBuilder().setName(":method").setStringMatch(method));
    }
    for (QueryMatch q : m.queries()) {
      QueryParameterMatcher.Builder qm = QueryParameterMatcher.newBuilder().setName(q.name());
      switch (q.type()) {
        case EXACT -> qm.setStringMatch(StringMatcher.newBuilder().setExact(q.value()));
        case REGEX ->
            qm.setStringMatch(StringMatcher.newBuilder().setSafeRegex(Protos.regex(q.value())));
        case PRESENT -> qm.setPresentMatch(true);
      }
      match.addQueryParameters(qm);
    }
    route.setMatch(match);
  }

  private static HeaderMatcher header(HeaderMatch h) {
    HeaderMatcher.Builder b = HeaderMatcher.newBuilder().setName(h.name());
    switch (h.type()) {
      case EXACT -> b.setStringMatch(StringMatcher.newBuilder().setExact(h.value()));
      case REGEX ->
          b.setStringMatch(StringMatcher.newBuilder().setSafeRegex(Protos.regex(h.value())));
      case PRESENT -> b.setPresentMatch(true);
      case ABSENT -> b.setPresentMatch(true).setInvertMatch(true);
    }
    return b.build();
  }
}
