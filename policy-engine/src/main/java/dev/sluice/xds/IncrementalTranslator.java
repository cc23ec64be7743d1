package dev.sluice.xds;

import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.UpstreamCluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@link Translator#translate} for every group, reusing the previous call's output where its input
 * did not change:
 *
 * <ul>
 *   <li>a group whose config equals last time's gets last time's resources, the same objects;
 *   <li>a group whose config differs only in its clusters' endpoints (a registry change) keeps
 *       every other resource and rebuilds only the endpoint assignments whose endpoints changed:
 *       only {@link EndpointTranslator} reads endpoints;
 *   <li>anything else is translated again, reusing through a {@link TranslationMemo} every route
 *       entry, cluster and endpoint assignment whose IR did not change, and each resource equal to
 *       last time's is last time's object: a policy change usually touches one route of thousands.
 * </ul>
 *
 * Reused resources are the same message objects, so {@link ContentHash} knows their versions
 * without encoding them again, and comparing two snapshots mostly stops at identity.
 * IncrementalTranslatorTest checks the output against a fresh translation.
 *
 * <p>Not thread-safe: one per pipeline, called from its one thread.
 */
public final class IncrementalTranslator {
  /**
   * One group's last input and output; {@code endpoints} indexes the output's assignments by
   * cluster; {@code memo} holds the parts of the group's translations.
   */
  private record Translated(
      ProxyConfig ir,
      XdsResources resources,
      Map<String, ClusterLoadAssignment> endpoints,
      TranslationMemo memo) {
    static Translated of(ProxyConfig ir, XdsResources resources, TranslationMemo memo) {
      Map<String, ClusterLoadAssignment> endpoints = new HashMap<>();
      resources.endpoints().forEach(cla -> endpoints.put(cla.getClusterName(), cla));
      return new Translated(ir, resources, endpoints, memo);
    }
  }

  private Map<String, Translated> previous = Map.of();

  /** Group → resources for every group given; groups not given are forgotten. */
  public Map<String, XdsResources> translate(Map<String, ProxyConfig> groups) {
    Map<String, Translated> next = new HashMap<>();
    Map<String, XdsResources> out = new TreeMap<>();
    groups.forEach(
        (group, ir) -> {
          Translated t = translate(previous.get(group), ir);
          next.put(group, t);
          out.put(group, t.resources());
        });
    previous = next;
    return out;
  }

  // identity first: kept IR objects are interned
  @SuppressWarnings("ReferenceEquality")
  private static Translated translate(Translated last, ProxyConfig ir) {
    if (last == null) {
      TranslationMemo memo = new TranslationMemo();
      return Translated.of(ir, translate(ir, memo), memo);
    }
    if (last.ir() == ir || last.ir().equals(ir)) {
      return last;
    }
    if (sameExceptEndpoints(last.ir(), ir)) {
      return withEndpointsOf(last, ir);
    }
    return Translated.of(
        ir, reuseUnchanged(last.resources(), translate(ir, last.memo())), last.memo());
  }

  private static XdsResources translate(ProxyConfig ir, TranslationMemo memo) {
    XdsResources resources = Translator.translate(ir, memo);
    memo.done();
    return resources;
  }

  /**
   * {@code fresh} with every resource that equals one of {@code last} by name and content replaced
   * by last time's object. Comparing costs less than hashing and encoding again, which is what a
   * new object would cost the server, and mostly stops at identity: the memo gave back last time's
   * parts.
   */
  static XdsResources reuseUnchanged(XdsResources last, XdsResources fresh) {
    return new XdsResources(
        reuse(last.listeners(), fresh.listeners(), Listener::getName),
        reuse(last.routes(), fresh.routes(), RouteConfiguration::getName),
        reuse(last.clusters(), fresh.clusters(), Cluster::getName),
        reuse(last.endpoints(), fresh.endpoints(), ClusterLoadAssignment::getClusterName),
        reuse(last.secrets(), fresh.secrets(), Secret::getName),
        fresh.origins());
  }

  private static <T> List<T> reuse(List<T> last, List<T> fresh, Function<T, String> name) {
    Map<String, T> byName = new HashMap<>();
    last.forEach(t -> byName.put(name.apply(t), t));
    List<T> out = new ArrayList<>(fresh.size());
    for (T t : fresh) {
      T old = byName.get(name.apply(t));
      out.add(old != null && old.equals(t) ? old : t);
    }
    return out;
  }

  // identity first: kept IR objects are interned
  @SuppressWarnings("ReferenceEquality")
  private static Translated withEndpointsOf(Translated last, ProxyConfig ir) {
    List<ClusterLoadAssignment> endpoints = new ArrayList<>(ir.clusters().size());
    for (int i = 0; i < ir.clusters().size(); i++) {
      UpstreamCluster now = ir.clusters().get(i);
      UpstreamCluster was = last.ir().clusters().get(i);
      ClusterLoadAssignment kept = last.endpoints().get(now.name());
      boolean same = now == was || now.endpoints().equals(was.endpoints());
      endpoints.add(same && kept != null ? kept : EndpointTranslator.assignment(now));
    }
    XdsResources r = last.resources();
    return Translated.of(
        ir,
        new XdsResources(
            r.listeners(), r.routes(), r.clusters(), endpoints, r.secrets(), r.origins()),
        last.memo());
  }

  /**
   * Whether the two configs can differ only in what {@link EndpointTranslator} reads: the clusters'
   * endpoints.
   */
  static boolean sameExceptEndpoints(ProxyConfig a, ProxyConfig b) {
    return withoutEndpoints(a).equals(withoutEndpoints(b));
  }

  /**
   * Through the canonical constructors: a component added to either record stops this from
   * compiling until someone decides whether it may differ.
   */
  private static ProxyConfig withoutEndpoints(ProxyConfig c) {
    List<UpstreamCluster> clusters =
        c.clusters().stream()
            .map(
                u ->
                    new UpstreamCluster(
                        u.name(), u.service(), u.connectTimeout(), List.of(), u.upstream()))
            .toList();
    return new ProxyConfig(
        c.group(), c.listeners(), clusters, c.dnsClusters(), c.sidecar(), c.meshClient());
  }
}
