package dev.sluice.xds;

import com.google.protobuf.Any;
import dev.sluice.ir.UpstreamCluster;
import dev.sluice.policy.upstream.UpstreamSpec;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/**
 * {@code protocol: http2 | grpc} → the cluster speaks HTTP/2 upstream (whatever the client spoke).
 */
final class ProtocolFeature implements ClusterFeature {
  static final String HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  @Override
  public void apply(UpstreamCluster ir, UpstreamSpec upstream, Cluster.Builder cluster) {
    if (upstream.protocol() == UpstreamSpec.Protocol.HTTP1) {
      return;
    }
    HttpProtocolOptions options =
        HttpProtocolOptions.newBuilder()
            .setExplicitHttpConfig(
                HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                    .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
            .build();
    cluster.putTypedExtensionProtocolOptions(HTTP_OPTIONS, Any.pack(options));
  }
}
