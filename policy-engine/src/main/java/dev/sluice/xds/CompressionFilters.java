package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.UInt32Value;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.policy.compression.CompressionSpec;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.compression.brotli.compressor.v3.Brotli;
import io.envoyproxy.envoy.extensions.compression.gzip.compressor.v3.Gzip;
import io.envoyproxy.envoy.extensions.filters.http.compressor.v3.Compressor;
import io.envoyproxy.envoy.extensions.filters.http.compressor.v3.CompressorPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Gateway {@code compression} → one compressor filter per algorithm, named {@code
 * compressor-<algorithm>}; a route's {@code compression: false} disables every one of them on it.
 */
final class CompressionFilters implements HttpFilterFeature {
  @Override
  public String name() {
    return filterName("<algorithm>");
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.filters().compression().isPresent();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    CompressionSpec c = l.filters().compression().orElseThrow();
    List<HttpFilter> out = new ArrayList<>();
    for (String algorithm : c.algorithms()) {
      Compressor.CommonDirectionConfig.Builder common =
          Compressor.CommonDirectionConfig.newBuilder().addAllContentType(c.contentTypes());
      Compressor compressor =
          Compressor.newBuilder()
              .setCompressorLibrary(
                  TypedExtensionConfig.newBuilder()
                      .setName(algorithm)
                      .setTypedConfig(
                          algorithm.equals("brotli")
                              ? Any.pack(Brotli.getDefaultInstance())
                              : Any.pack(Gzip.getDefaultInstance())))
              .setResponseDirectionConfig(
                  Compressor.ResponseDirectionConfig.newBuilder()
                      .setCommonConfig(common.setMinContentLength(UInt32Value.of(c.minLength()))))
              .build();
      out.add(
          HttpFilter.newBuilder()
              .setName(filterName(algorithm))
              .setTypedConfig(Any.pack(compressor))
              .build());
    }
    return out;
  }

  @Override
  public List<Descriptor> types() {
    return List.of(
        Compressor.getDescriptor(),
        CompressorPerRoute.getDescriptor(),
        Gzip.getDescriptor(),
        Brotli.getDescriptor());
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    if (ir.filters().compressionOff()) {
      for (String algorithm : List.of("gzip", "brotli")) {
        route.putTypedPerFilterConfig(
            filterName(algorithm),
            Any.pack(CompressorPerRoute.newBuilder().setDisabled(true).build()));
      }
    }
  }

  private static String filterName(String algorithm) {
    return "compressor-" + algorithm;
  }
}
