package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import io.envoyproxy.envoy.config.common.mutation_rules.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.Mutations;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * Removes the headers that carry identity to upstreams (consumer, JWT claims, ext_authz results)
 * from what the client sent, before any check runs: only the gateway may set them, or a client
 * could name itself a consumer.
 */
final class IdentityHeaders implements HttpFilterFeature {
  static final String FILTER = "sluice.strip_identity";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return !l.auth().identityHeaders().isEmpty();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    Mutations.Builder m = Mutations.newBuilder();
    l.auth()
        .identityHeaders()
        .forEach(h -> m.addRequestMutations(HeaderMutation.newBuilder().setRemove(h)));
    return List.of(
        HttpFilter.newBuilder()
            .setName(FILTER)
            .setTypedConfig(
                Any.pack(
                    io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation
                        .newBuilder()
                        .setMutations(m)
                        .build()))
            .build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(
        io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation
            .getDescriptor());
  }
}
