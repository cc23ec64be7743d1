package dev.sluice.xds;

import com.google.protobuf.UInt32Value;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.RouteMatch;
import dev.sluice.ir.RouteMatch.HeaderCondition;
import dev.sluice.ir.VirtualHost;
import dev.sluice.ir.WeightedCluster;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster.ClusterWeight;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/** One route table per listener; virtual hosts and routes keep the IR's order (first match wins). */
final class RouteTableTranslator implements FeatureTranslator {
  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (HttpListener l : ir.listeners()) {
      RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName(l.routeConfigName());
      for (VirtualHost vh : l.virtualHosts()) {
        var vhost = io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder()
            .setName(vh.name())
            .addAllDomains(vh.domains());
        for (HttpRoute r : vh.routes()) {
          vhost.addRoutes(route(r));
          out.origin("route/" + l.routeConfigName(), r.policy() + " (" + r.source() + ")");
          out.origin("listener/" + l.name(), r.policy() + " (" + r.source() + ")");
          r.clusters().forEach(c -> {
            out.origin("cluster/" + c.cluster(), r.policy() + " (" + r.source() + ")");
            out.origin("endpoint/" + c.cluster(), r.policy() + " (" + r.source() + ")");
          });
        }
        rc.addVirtualHosts(vhost);
      }
      out.routes.put(l.routeConfigName(), rc);
    }
  }

  private static Route route(HttpRoute r) {
    Route.Builder route = Route.newBuilder().setName(r.name());
    var match = io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder();
    RouteMatch m = r.match();
    switch (m.pathKind()) {
      case PREFIX -> match.setPrefix(m.path());
      case EXACT -> match.setPath(m.path());
      case REGEX -> match.setSafeRegex(regex(m.path()));
    }
    for (HeaderCondition h : m.headers()) {
      match.addHeaders(header(h));
    }
    if (!m.methods().isEmpty()) {
      StringMatcher method = m.methods().size() == 1
          ? StringMatcher.newBuilder().setExact(m.methods().get(0)).build()
          : StringMatcher.newBuilder().setSafeRegex(regex("^(" + String.join("|", m.methods()) + ")$")).build();
      match.addHeaders(HeaderMatcher.newBuilder().setName(":method").setStringMatch(method));
    }
    route.setMatch(match);
    RouteAction.Builder action = RouteAction.newBuilder().setTimeout(Protos.duration(r.timeout()));
    if (r.clusters().size() == 1) {
      action.setCluster(r.clusters().get(0).cluster());
    } else {
      var weighted = io.envoyproxy.envoy.config.route.v3.WeightedCluster.newBuilder();
      for (WeightedCluster c : r.clusters()) {
        weighted.addClusters(ClusterWeight.newBuilder().setName(c.cluster()).setWeight(UInt32Value.of(c.weight())));
      }
      action.setWeightedClusters(weighted);
    }
    return route.setRoute(action).build();
  }

  private static HeaderMatcher header(HeaderCondition h) {
    HeaderMatcher.Builder b = HeaderMatcher.newBuilder().setName(h.name());
    switch (h.kind()) {
      case EXACT -> b.setStringMatch(StringMatcher.newBuilder().setExact(h.value()));
      case REGEX -> b.setStringMatch(StringMatcher.newBuilder().setSafeRegex(regex(h.value())));
      case PRESENT -> b.setPresentMatch(true);
      case ABSENT -> b.setPresentMatch(true).setInvertMatch(true);
    }
    return b.build();
  }

  private static RegexMatcher regex(String regex) {
    return RegexMatcher.newBuilder().setRegex(regex).build();
  }
}
