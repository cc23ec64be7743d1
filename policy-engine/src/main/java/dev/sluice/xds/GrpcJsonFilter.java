package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.policy.route.grpcjson.GrpcJsonSpec;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * A route's {@code grpcJson} → Envoy's gRPC-JSON transcoder: in the listener but disabled (with the
 * first transcoding route's settings, as it needs a valid config); each transcoding route turns it
 * on with its own descriptor set and services.
 */
final class GrpcJsonFilter implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.grpc_json_transcoder";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.filters().grpcJson().isPresent();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(
        HttpFilter.newBuilder()
            .setName(FILTER)
            .setDisabled(true)
            .setTypedConfig(Any.pack(config(l.filters().grpcJson().orElseThrow())))
            .build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(GrpcJsonTranscoder.getDescriptor(), FilterConfig.getDescriptor());
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    ir.filters()
        .grpcJson()
        .ifPresent(
            spec ->
                route.putTypedPerFilterConfig(
                    FILTER,
                    Any.pack(FilterConfig.newBuilder().setConfig(Any.pack(config(spec))).build())));
  }

  private static GrpcJsonTranscoder config(GrpcJsonSpec spec) {
    return GrpcJsonTranscoder.newBuilder()
        .setProtoDescriptorBin(ByteString.copyFrom(spec.descriptorSet()))
        .addAllServices(spec.services())
        .setPrintOptions(
            GrpcJsonTranscoder.PrintOptions.newBuilder().setPreserveProtoFieldNames(true))
        // keep the route the REST call matched (the one that asked for transcoding) instead of
        // matching again on the gRPC path
        .setMatchIncomingRequestRoute(true)
        .build();
  }
}
