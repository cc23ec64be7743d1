package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/** Envoy's router: it sends the request upstream, so every chain has it, last. */
final class RouterFilter implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.router";

  /** The router with no settings of its own, as every chain (gateway, sidecar, stats) ends. */
  static HttpFilter filter() {
    return HttpFilter.newBuilder()
        .setName(FILTER)
        .setTypedConfig(Any.pack(Router.getDefaultInstance()))
        .build();
  }

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return true;
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(filter());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(Router.getDescriptor());
  }
}
