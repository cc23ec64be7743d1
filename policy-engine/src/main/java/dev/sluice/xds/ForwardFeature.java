package dev.sluice.xds;

import com.google.protobuf.UInt32Value;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.RouteAction;
import dev.sluice.ir.WeightedCluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster.ClusterWeight;

/** The clusters a forwarding route sends to (one, or weighted), and its timeouts. */
final class ForwardFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    if (!(ir.action() instanceof RouteAction.Forward fwd)) {
      return;
    }
    var action = route.getRouteBuilder().setTimeout(Protos.duration(fwd.timeout()));
    fwd.idleTimeout().ifPresent(d -> action.setIdleTimeout(Protos.duration(d)));
    if (fwd.clusters().size() == 1) {
      action.setCluster(fwd.clusters().get(0).cluster());
    } else {
      var weighted = io.envoyproxy.envoy.config.route.v3.WeightedCluster.newBuilder();
      for (WeightedCluster c : fwd.clusters()) {
        weighted.addClusters(
            ClusterWeight.newBuilder().setName(c.cluster()).setWeight(UInt32Value.of(c.weight())));
      }
      action.setWeightedClusters(weighted);
    }
  }
}
