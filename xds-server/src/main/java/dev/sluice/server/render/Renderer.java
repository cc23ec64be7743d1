package dev.sluice.server.render;

import com.google.protobuf.Message;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.ir.Compiler;
import dev.sluice.policy.PolicySet;
import dev.sluice.xds.Translator;
import dev.sluice.xds.XdsResources;
import dev.sluice.xds.XdsYaml;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Catalog + policies → what each proxy group should have, through the server's own pipeline ({@link
 * Compiler#compile}, {@link Translator#translate}, {@link XdsYaml}). Pure: no I/O, no clock, the
 * same input gives equal output. Used by {@code sluice render}, {@code sluice diff} and the admin
 * API's {@code /config/<proxy>}.
 */
public final class Renderer {
  private Renderer() {}

  /** Proxy group → its resources, sorted by group. */
  public static Map<String, Rendered> render(ServiceCatalog catalog, PolicySet policies) {
    Map<String, Rendered> out = new TreeMap<>();
    Compiler.compile(catalog, policies)
        .forEach(
            (group, ir) -> {
              Rendered r = render(group, Translator.translate(ir));
              out.put(
                  group,
                  ir.meshClient().map(client -> MeshSecretStubs.withStubs(r, client)).orElse(r));
            });
    return out;
  }

  /**
   * A server's group (as its {@code /config/<group>} shows it) in the form an offline render has:
   * the mesh secrets as what decides them, not the certificates the server's CA issued.
   */
  public static Rendered asOfflineRender(Rendered server) {
    return MeshSecretStubs.asStubs(server);
  }

  /** Already translated resources (what the server holds for a group) → their rendered form. */
  public static Rendered render(String group, XdsResources r) {
    Map<XdsType, List<Rendered.Resource>> all = new EnumMap<>(XdsType.class);
    all.put(XdsType.LISTENERS, resources(r.listeners(), Listener::getName));
    all.put(XdsType.ROUTES, resources(r.routes(), RouteConfiguration::getName));
    all.put(XdsType.CLUSTERS, resources(r.clusters(), Cluster::getName));
    all.put(XdsType.ENDPOINTS, resources(r.endpoints(), ClusterLoadAssignment::getClusterName));
    all.put(XdsType.SECRETS, resources(r.secrets(), Secret::getName));
    return new Rendered(group, all);
  }

  private static <M extends Message> List<Rendered.Resource> resources(
      List<M> messages, Function<M, String> name) {
    List<Rendered.Resource> out = new ArrayList<>();
    for (M m : messages) {
      out.add(new Rendered.Resource(name.apply(m), XdsYaml.json(m)));
    }
    return out;
  }
}
