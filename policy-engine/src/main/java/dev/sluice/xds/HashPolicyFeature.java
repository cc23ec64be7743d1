package dev.sluice.xds;

import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.RouteAction;
import dev.sluice.policy.upstream.UpstreamSpec.HashOn;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy;

/**
 * The hash inputs of ring-hash / maglev services → the route's hash_policy (where Envoy reads
 * them).
 */
final class HashPolicyFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    if (!(ir.action() instanceof RouteAction.Forward fwd)) {
      return;
    }
    for (HashOn h : fwd.hashPolicy()) {
      HashPolicy.Builder p = HashPolicy.newBuilder();
      switch (h.kind()) {
        case HEADER -> p.setHeader(HashPolicy.Header.newBuilder().setHeaderName(h.name()));
        case COOKIE -> {
          HashPolicy.Cookie.Builder c = HashPolicy.Cookie.newBuilder().setName(h.name());
          h.ttl().ifPresent(t -> c.setTtl(Protos.duration(t)));
          p.setCookie(c);
        }
        case SOURCE_IP ->
            p.setConnectionProperties(
                HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
        case QUERY -> p.setQueryParameter(HashPolicy.QueryParameter.newBuilder().setName(h.name()));
      }
      route.getRouteBuilder().addHashPolicy(p);
    }
  }
}
