package dev.sluice.ir;

import dev.sluice.discovery.Health;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.mesh.MeshSpec;
import dev.sluice.policy.serviceaccess.ServiceAccessSpec;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.policy.upstream.UpstreamSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A Sidecar policy → the {@link ProxyConfig} of its group {@code sidecar~<service>}. */
final class SidecarCompiler {
  /** Clusters of upstream services are named apart from the edge's plain service clusters. */
  static final String MESH_CLUSTER_PREFIX = "mesh~";

  private SidecarCompiler() {}

  static ProxyConfig compile(SidecarSpec s, PolicySet policies, ServiceCatalog catalog) {
    MeshSpec mesh = policies.mesh();
    List<UpstreamCluster> clusters = new ArrayList<>();
    Optional<UpstreamSpec> own = policies.upstream(s.name());
    clusters.add(
        new UpstreamCluster(
            SidecarConfig.APP_CLUSTER,
            s.name(),
            own.flatMap(UpstreamSpec::connectTimeout).orElse(Compiler.CONNECT_TIMEOUT),
            List.of(new Endpoint("127.0.0.1", s.appPort(), 1, "", "", Endpoint.Status.HEALTHY, 0)),
            own));
    List<SidecarConfig.Outbound> outbounds = new ArrayList<>();
    for (SidecarSpec.Upstream u : s.upstreams()) {
      String cluster = MESH_CLUSTER_PREFIX + u.service();
      Optional<UpstreamSpec> policy = policies.upstream(u.service());
      clusters.add(
          new UpstreamCluster(
              cluster,
              u.service(),
              policy.flatMap(UpstreamSpec::connectTimeout).orElse(Compiler.CONNECT_TIMEOUT),
              meshEndpoints(u.service(), policies, catalog),
              policy));
      outbounds.add(
          new SidecarConfig.Outbound(
              "outbound-" + u.localPort(),
              u.localPort(),
              u.service(),
              cluster,
              mesh.spiffeId(u.service())));
    }
    SidecarConfig.Inbound inbound =
        new SidecarConfig.Inbound("inbound", s.inboundPort(), s.appPort(), access(s, policies));
    SidecarConfig sidecar =
        new SidecarConfig(
            s.name(), mesh.trustDomain(), mesh.spiffeId(s.name()), inbound, outbounds);
    MeshClient client =
        new MeshClient(
            s.name(),
            mesh.trustDomain(),
            mesh.spiffeId(s.name()),
            outbounds.stream()
                .map(o -> new MeshClient.Peer(o.cluster(), o.service(), o.peerSpiffeId()))
                .toList());
    return new ProxyConfig(
        SidecarSpec.group(s.name()),
        List.of(),
        clusters,
        List.of(),
        Optional.of(sidecar),
        Optional.of(client));
  }

  /**
   * The instances of a service as its sidecars take calls: each instance's address with the
   * Sidecar's inbound port (the registered port is the application's, reachable on localhost only).
   * No Sidecar, no endpoints: calls answer 503 until one is written.
   */
  private static List<Endpoint> meshEndpoints(
      String service, PolicySet policies, ServiceCatalog catalog) {
    Optional<SidecarSpec> target = policies.sidecar(service);
    if (target.isEmpty()) {
      return List.of();
    }
    return Compiler.atPort(
        catalog.service(service).map(Service::instances).orElse(List.of()).stream()
            .filter(i -> i.health() != Health.CRITICAL)
            .map(i -> Compiler.endpoint(i, 0))
            .toList(),
        target.get().inboundPort());
  }

  /**
   * Who may call: the ServiceAccess statements naming this service; with none, nobody under
   * defaultAccess deny and any peer of the trust domain under allow.
   */
  private static SidecarConfig.Access access(SidecarSpec s, PolicySet policies) {
    List<ServiceAccessSpec> rules = policies.accessTo(s.name());
    if (rules.isEmpty()) {
      return new SidecarConfig.Access(
          policies.mesh().defaultAccess() == MeshSpec.DefaultAccess.ALLOW, List.of());
    }
    return new SidecarConfig.Access(
        false,
        rules.stream()
            .map(
                r ->
                    new SidecarConfig.Permission(
                        r.name(),
                        r.from().stream().map(policies.mesh()::spiffeId).toList(),
                        r.when()))
            .toList());
  }
}
