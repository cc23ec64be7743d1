package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * The gateway's {@code access} rules → an RBAC filter ({@link AccessRules}) that checks every
 * request.
 */
final class GatewayAccessFilter implements HttpFilterFeature {
  static final String FILTER = "sluice.rbac.gateway";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return !l.auth().gatewayAccess().isEmpty();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(
        HttpFilter.newBuilder()
            .setName(FILTER)
            .setTypedConfig(
                Any.pack(
                    RBAC.newBuilder()
                        .setRules(AccessRules.rbac(l.auth().gatewayAccess()))
                        .setRulesStatPrefix("gateway_")
                        .build()))
            .build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(RBAC.getDescriptor());
  }
}
