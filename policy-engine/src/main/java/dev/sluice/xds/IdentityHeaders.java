package dev.sluice.xds;

import com.google.protobuf.Any;
import dev.sluice.ir.ListenerAuth;
import io.envoyproxy.envoy.config.common.mutation_rules.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.Mutations;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;

/**
 * Removes the headers that carry identity to upstreams (consumer, JWT claims, ext_authz results)
 * from what the client sent, before any check runs: only the gateway may set them, or a client
 * could name itself a consumer.
 */
final class IdentityHeaders {
  static final String FILTER = "sluice.strip_identity";

  private IdentityHeaders() {}

  static HttpFilter filter(ListenerAuth auth) {
    Mutations.Builder m = Mutations.newBuilder();
    auth.identityHeaders().forEach(h -> m.addRequestMutations(HeaderMutation.newBuilder().setRemove(h)));
    return HttpFilter.newBuilder()
        .setName(FILTER)
        .setTypedConfig(Any.pack(io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation.newBuilder()
            .setMutations(m).build()))
        .build();
  }
}
