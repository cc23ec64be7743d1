package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.sluice.policy.compression.CompressionSpec;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.compression.brotli.compressor.v3.Brotli;
import io.envoyproxy.envoy.extensions.compression.gzip.compressor.v3.Gzip;
import io.envoyproxy.envoy.extensions.filters.http.compressor.v3.Compressor;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/** Gateway {@code compression} → one compressor filter per algorithm, named {@code compressor-<algorithm>}. */
final class CompressionFilters {
  private CompressionFilters() {}

  static String filterName(String algorithm) {
    return "compressor-" + algorithm;
  }

  static List<HttpFilter> filters(CompressionSpec c) {
    List<HttpFilter> out = new ArrayList<>();
    for (String algorithm : c.algorithms()) {
      Compressor.CommonDirectionConfig.Builder common = Compressor.CommonDirectionConfig.newBuilder()
          .addAllContentType(c.contentTypes());
      Compressor compressor = Compressor.newBuilder()
          .setCompressorLibrary(TypedExtensionConfig.newBuilder()
              .setName(algorithm)
              .setTypedConfig(algorithm.equals("brotli") ? Any.pack(Brotli.getDefaultInstance()) : Any.pack(Gzip.getDefaultInstance())))
          .setResponseDirectionConfig(Compressor.ResponseDirectionConfig.newBuilder()
              .setCommonConfig(common.setMinContentLength(UInt32Value.of(c.minLength()))))
          .build();
      out.add(HttpFilter.newBuilder().setName(filterName(algorithm)).setTypedConfig(Any.pack(compressor)).build());
    }
    return out;
  }
}
