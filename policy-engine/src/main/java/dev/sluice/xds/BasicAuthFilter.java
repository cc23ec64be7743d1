package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.ListenerAuth;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.basic_auth.v3.BasicAuth;
import io.envoyproxy.envoy.extensions.filters.http.basic_auth.v3.BasicAuthPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;
import java.util.SortedMap;

/**
 * {@code auth.basic} → Envoy's basic_auth: in the listener but disabled, enabled by the routes that
 * ask for it; the user name of a request that passes is forwarded as the consumer, the credentials
 * are not.
 */
final class BasicAuthFilter implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.basic_auth";
  private static final String AUTHORIZATION = "authorization";

  /**
   * Envoy rejects an empty user list. With no Consumer password every request must fail (a warning
   * says so): no password is known whose SHA-1 is all zeros, so this user cannot log in.
   */
  private static final String NOBODY = "_nobody:{SHA}AAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  @Override
  public String name() {
    return FILTER;
  }

  @Override
  public boolean needed(HttpListener l) {
    return l.auth().basic().isPresent();
  }

  @Override
  public List<HttpFilter> filters(HttpListener l) {
    return List.of(
        HttpFilter.newBuilder()
            .setName(FILTER)
            .setDisabled(true)
            .setTypedConfig(
                Any.pack(
                    BasicAuth.newBuilder()
                        .setUsers(users(l.auth().basic().orElseThrow().users()))
                        .setForwardUsernameHeader(ListenerAuth.CONSUMER_HEADER)
                        .build()))
            .build());
  }

  @Override
  public List<Descriptor> types() {
    return List.of(
        BasicAuth.getDescriptor(), BasicAuthPerRoute.getDescriptor(), FilterConfig.getDescriptor());
  }

  private static DataSource users(SortedMap<String, String> users) {
    StringBuilder htpasswd = new StringBuilder();
    users.forEach((name, hash) -> htpasswd.append(name).append(':').append(hash).append('\n'));
    return DataSource.newBuilder()
        .setInlineString(users.isEmpty() ? NOBODY + "\n" : htpasswd.toString())
        .build();
  }

  @Override
  public void patchRoute(HttpRoute ir, Route.Builder route) {
    ir.auth()
        .basic()
        .ifPresent(
            b -> {
              // Enabling a disabled filter takes a per-route config; its type carries the users
              // again.
              route.putTypedPerFilterConfig(
                  FILTER,
                  Any.pack(
                      FilterConfig.newBuilder()
                          .setConfig(
                              Any.pack(
                                  BasicAuthPerRoute.newBuilder()
                                      .setUsers(users(b.users()))
                                      .build()))
                          .build()));
              // Envoy's filter leaves the user name and password in the request. The router removes
              // them
              // after every filter has run, so an ext_authz check on the same route still sees
              // them.
              if (route.getRequestHeadersToRemoveList().stream()
                  .noneMatch(AUTHORIZATION::equalsIgnoreCase)) {
                route.addRequestHeadersToRemove(AUTHORIZATION);
              }
            });
  }
}
