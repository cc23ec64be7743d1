package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/** The gateway's {@code grpcWeb} → Envoy's grpc_web filter, for every route. */
final class GrpcWebFilter implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.grpc_web";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.filters().grpcWeb();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(
        HttpFilter.newBuilder()
            .setName(FILTER)
            .setTypedConfig(Any.pack(GrpcWeb.getDefaultInstance()))
            .build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(GrpcWeb.getDescriptor());
  }
}
