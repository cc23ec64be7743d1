package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import dev.sluice.ir.HttpRoute;
import dev.sluice.policy.route.grpcjson.GrpcJsonSpec;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder;
import io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;

/**
 * gRPC-Web (a gateway-wide filter) and gRPC-JSON transcoding (in the listener but disabled;
 * each transcoding route turns it on with its own descriptor set and services).
 */
final class GrpcFilters implements RouteFeature {
  static final String TRANSCODER = "envoy.filters.http.grpc_json_transcoder";
  static final String GRPC_WEB = "envoy.filters.http.grpc_web";

  static HttpFilter grpcWeb() {
    return HttpFilter.newBuilder().setName(GRPC_WEB).setTypedConfig(Any.pack(GrpcWeb.getDefaultInstance())).build();
  }

  static HttpFilter transcoder(GrpcJsonSpec spec) {
    return HttpFilter.newBuilder().setName(TRANSCODER).setDisabled(true).setTypedConfig(Any.pack(config(spec))).build();
  }

  private static GrpcJsonTranscoder config(GrpcJsonSpec spec) {
    return GrpcJsonTranscoder.newBuilder()
        .setProtoDescriptorBin(ByteString.copyFrom(spec.descriptorSet()))
        .addAllServices(spec.services())
        .setPrintOptions(GrpcJsonTranscoder.PrintOptions.newBuilder().setPreserveProtoFieldNames(true))
        // keep the route the REST call matched (the one that asked for transcoding) instead of
        // matching again on the gRPC path
        .setMatchIncomingRequestRoute(true)
        .build();
  }

  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    ir.grpcJson().ifPresent(spec -> route.putTypedPerFilterConfig(TRANSCODER,
        Any.pack(FilterConfig.newBuilder().setConfig(Any.pack(config(spec))).build())));
  }
}
