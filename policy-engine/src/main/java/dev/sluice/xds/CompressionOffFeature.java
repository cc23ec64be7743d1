package dev.sluice.xds;

import com.google.protobuf.Any;
import dev.sluice.ir.HttpRoute;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.compressor.v3.CompressorPerRoute;
import java.util.List;

/** A route's {@code compression: false} → every compressor filter disabled on it. */
final class CompressionOffFeature implements RouteFeature {
  @Override
  public void apply(HttpRoute ir, Route.Builder route) {
    if (ir.compressionOff()) {
      for (String algorithm : List.of("gzip", "brotli")) {
        route.putTypedPerFilterConfig(CompressionFilters.filterName(algorithm),
            Any.pack(CompressorPerRoute.newBuilder().setDisabled(true).build()));
      }
    }
  }
}
