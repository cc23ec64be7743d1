package dev.sluice.xds;

import dev.sluice.ir.HttpRoute;
import dev.sluice.policy.route.headers.HeaderChanges;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code headers} → request/response headers to add (set = overwrite, add = append) and to remove.
 */
final class HeaderEditFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    HeaderChanges req = ir.headers().request();
    HeaderChanges resp = ir.headers().response();
    route.addAllRequestHeadersToAdd(options(req));
    route.addAllRequestHeadersToRemove(req.remove());
    route.addAllResponseHeadersToAdd(options(resp));
    route.addAllResponseHeadersToRemove(resp.remove());
  }

  private static List<HeaderValueOption> options(HeaderChanges c) {
    List<HeaderValueOption> out = new ArrayList<>();
    c.set().forEach((k, v) -> out.add(option(k, v, HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)));
    c.add().forEach((k, v) -> out.add(option(k, v, HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)));
    return out;
  }

  private static HeaderValueOption option(String name, String value, HeaderAppendAction action) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(action)
        .build();
  }
}
