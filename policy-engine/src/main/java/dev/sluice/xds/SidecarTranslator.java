package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.SidecarConfig;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * A sidecar group's mesh: the mTLS inbound listener with RBAC on the caller's SPIFFE ID, one
 * plaintext outbound listener per upstream on 127.0.0.1 (whose clusters get mTLS from {@link
 * MeshClientTranslator}).
 *
 * <p>Certificates come over SDS as {@link SidecarConfig#CERT_SECRET} and {@link
 * SidecarConfig#TRUST_SECRET}, which the server adds per group from its CA; the translator never
 * sees a key. Peers are checked twice: the handshake accepts only certificates chaining to the mesh
 * root whose URI SAN is in the trust domain, and RBAC then matches the exact caller.
 */
final class SidecarTranslator implements FeatureTranslator {
  static final String RBAC_FILTER = "sluice.rbac.mesh";

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    if (ir.sidecar().isEmpty()) {
      return;
    }
    SidecarConfig s = ir.sidecar().get();
    String origin = "Sidecar/" + s.service();
    inbound(s, out, origin);
    for (SidecarConfig.Outbound o : s.outbounds()) {
      outbound(o, out, origin);
      out.origin("cluster/" + o.cluster(), origin);
      out.origin("endpoint/" + o.cluster(), origin);
    }
    out.origin("cluster/" + SidecarConfig.APP_CLUSTER, origin);
    out.origin("endpoint/" + SidecarConfig.APP_CLUSTER, origin);
  }

  private static void inbound(SidecarConfig s, XdsBuilder out, String origin) {
    SidecarConfig.Inbound in = s.inbound();
    HttpConnectionManager.Builder hcm =
        connectionManager(in.name())
            // the application learns who called: Envoy drops any XFCC the caller sent and sets its
            // own
            // with the verified peer's URI SAN (the SPIFFE ID)
            .setForwardClientCertDetails(
                HttpConnectionManager.ForwardClientCertDetails.SANITIZE_SET)
            .setSetCurrentClientCertDetails(
                HttpConnectionManager.SetCurrentClientCertDetails.newBuilder().setUri(true));
    // The rules live in the route table (RDS), not here: a listener change only reaches new
    // connections (open ones drain on the old filter chain for minutes), while a route table
    // applies to the next request on every connection, so revoking access takes effect at once.
    // The filter itself denies everything, should a route ever lack its rules.
    hcm.addHttpFilters(
        HttpFilter.newBuilder()
            .setName(RBAC_FILTER)
            .setTypedConfig(
                Any.pack(
                    io.envoyproxy
                        .envoy
                        .extensions
                        .filters
                        .http
                        .rbac
                        .v3
                        .RBAC
                        .newBuilder()
                        .setRules(RBAC.newBuilder().setAction(RBAC.Action.ALLOW))
                        .setRulesStatPrefix("mesh_")
                        .build())));
    hcm.addHttpFilters(RouterFilter.filter());
    CommonTlsContext common =
        MeshClientTranslator.commonTls(
                SubjectAltNameMatcher.newBuilder()
                    .setSanType(SubjectAltNameMatcher.SanType.URI)
                    .setMatcher(StringMatcher.newBuilder().setPrefix(s.trustDomainPrefix()))
                    .build())
            .toBuilder()
            .addAlpnProtocols("h2")
            .addAlpnProtocols("http/1.1")
            .build();
    out.listeners.put(
        in.name(),
        Listener.newBuilder()
            .setName(in.name())
            .setAddress(address("0.0.0.0", in.port()))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName(ListenerTranslator.HCM_FILTER)
                            .setTypedConfig(Any.pack(hcm.build())))
                    .setTransportSocket(
                        TransportSocket.newBuilder()
                            .setName(TlsTranslator.TRANSPORT_SOCKET)
                            .setTypedConfig(
                                Any.pack(
                                    DownstreamTlsContext.newBuilder()
                                        .setRequireClientCertificate(BoolValue.of(true))
                                        .setCommonTlsContext(common)
                                        .build())))
                    .setTransportSocketConnectTimeout(
                        Protos.duration(TlsTranslator.HANDSHAKE_TIMEOUT))));
    RouteConfiguration.Builder table = routeTable(in.name(), SidecarConfig.APP_CLUSTER);
    // no rules (defaultAccess allow, no ServiceAccess names the service): RBAC is off on the route
    RBACPerRoute.Builder rules = RBACPerRoute.newBuilder();
    if (!in.access().allowAny()) {
      rules.setRbac(
          io.envoyproxy
              .envoy
              .extensions
              .filters
              .http
              .rbac
              .v3
              .RBAC
              .newBuilder()
              .setRules(rbac(in.access()))
              .setRulesStatPrefix("mesh_"));
    }
    table.getVirtualHostsBuilder(0).putTypedPerFilterConfig(RBAC_FILTER, Any.pack(rules.build()));
    out.routes.put(in.name(), table);
    out.origin("listener/" + in.name(), origin);
    out.origin("route/" + in.name(), origin);
  }

  private static void outbound(SidecarConfig.Outbound o, XdsBuilder out, String origin) {
    HttpConnectionManager.Builder hcm =
        connectionManager(o.name()).addHttpFilters(RouterFilter.filter());
    out.listeners.put(
        o.name(),
        Listener.newBuilder()
            .setName(o.name())
            .setAddress(address("127.0.0.1", o.localPort()))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName(ListenerTranslator.HCM_FILTER)
                            .setTypedConfig(Any.pack(hcm.build())))));
    out.routes.put(o.name(), routeTable(o.name(), o.cluster()));
    out.origin("listener/" + o.name(), origin);
    out.origin("route/" + o.name(), origin);
  }

  /**
   * ALLOW with one policy per ServiceAccess: its callers' SPIFFE IDs (the verified peer
   * certificate's URI SAN) and its request conditions. No policy at all denies every request.
   */
  static RBAC rbac(SidecarConfig.Access access) {
    RBAC.Builder rbac = RBAC.newBuilder().setAction(RBAC.Action.ALLOW);
    for (SidecarConfig.Permission p : access.permissions()) {
      List<Principal> callers = new ArrayList<>();
      for (String id : p.callers()) {
        callers.add(
            Principal.newBuilder()
                .setAuthenticated(
                    Principal.Authenticated.newBuilder()
                        .setPrincipalName(StringMatcher.newBuilder().setExact(id)))
                .build());
      }
      Principal who =
          callers.size() == 1
              ? callers.get(0)
              : Principal.newBuilder()
                  .setOrIds(Principal.Set.newBuilder().addAllIds(callers))
                  .build();
      Principal principal =
          p.when().specificity() == 0
              ? who
              : Principal.newBuilder()
                  .setAndIds(
                      Principal.Set.newBuilder().addIds(who).addIds(AccessRules.matches(p.when())))
                  .build();
      rbac.putPolicies(
          p.policy(),
          Policy.newBuilder()
              .addPermissions(Permission.newBuilder().setAny(true))
              .addPrincipals(principal)
              .build());
    }
    return rbac.build();
  }

  private static HttpConnectionManager.Builder connectionManager(String name) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(name)
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setRds(Rds.newBuilder().setRouteConfigName(name).setConfigSource(Protos.ads()))
        .setNormalizePath(BoolValue.of(true))
        .setMergeSlashes(true);
  }

  private static RouteConfiguration.Builder routeTable(String name, String cluster) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(name)
                .addDomains("*")
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(RouteAction.newBuilder().setCluster(cluster))));
  }

  private static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }
}
