package dev.sluice.ir;

import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.policy.PolicySet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link Compiler#compile} that recomputes only what changed since its previous call. Most changes
 * come from the registry (an instance registered, deregistered, or changing health) and touch a few
 * services, so while the policies stay the same:
 *
 * <ul>
 *   <li>a group none of whose clusters serves a changed service is the previous config, the same
 *       object (so the translator can skip it too);
 *   <li>a gateway keeps what it takes from the policies alone (listeners, routes, cluster list) and
 *       its unchanged clusters, and recomputes the clusters of the changed services;
 *   <li>a sidecar group is small and recompiled whole.
 * </ul>
 *
 * A config depends on the catalog only through the services of its clusters (the Compiler reads the
 * catalog nowhere else), which is what makes this equal to a full compile; IncrementalCompilerTest
 * checks it against {@link Compiler#compile} on every golden case. A policy change compiles
 * everything again, but the routes and clusters that come out equal are last time's objects ({@link
 * Interner}), so the translator recognises them by identity.
 *
 * <p>Not thread-safe: one per pipeline, called from its one thread.
 */
public final class IncrementalCompiler {
  private PolicySet policies;
  private ServiceCatalog catalog;
  private Map<String, ProxyConfig> result;

  /** Gateway name → what its config takes from {@link #policies}. */
  private Map<String, Compiler.GatewayPlan> plans = Map.of();

  /** Keeps the identity of the routes and clusters a policy change does not touch. */
  private final Interner interner = new Interner();

  /**
   * Returns proxy group name → config, sorted by group; equal to {@code Compiler.compile(catalog,
   * policies)}.
   */
  // identity first: an unchanged set is the same object
  @SuppressWarnings("ReferenceEquality")
  public Map<String, ProxyConfig> compile(ServiceCatalog catalog, PolicySet policies) {
    if (result == null || !(policies == this.policies || policies.equals(this.policies))) {
      full(catalog, policies);
    } else {
      Set<String> changed = changedServices(this.catalog, catalog);
      if (!changed.isEmpty()) {
        result = recompile(changed, catalog);
      }
    }
    this.catalog = catalog;
    return result;
  }

  private void full(ServiceCatalog catalog, PolicySet policies) {
    this.policies = policies;
    this.plans = Compiler.plans(policies, interner);
    this.result = Collections.unmodifiableMap(Compiler.compile(plans, catalog, policies, interner));
    interner.done();
  }

  private Map<String, ProxyConfig> recompile(Set<String> changed, ServiceCatalog catalog) {
    Map<String, ProxyConfig> out = new TreeMap<>();
    for (Map.Entry<String, ProxyConfig> e : result.entrySet()) {
      ProxyConfig previous = e.getValue();
      Compiler.GatewayPlan plan = plans.get(e.getKey());
      ProxyConfig next;
      if (previous.clusters().stream().noneMatch(c -> changed.contains(c.service()))) {
        next = previous;
      } else if (plan != null) {
        List<UpstreamCluster> clusters = new ArrayList<>(plan.refs().size());
        for (int i = 0; i < plan.refs().size(); i++) {
          ClusterRef ref = plan.refs().get(i);
          // the plan's refs and the previous config's clusters are in the same order
          clusters.add(
              changed.contains(ref.service())
                  ? Compiler.cluster(ref, catalog, policies, plan.gateway())
                  : previous.clusters().get(i));
        }
        next = Compiler.gateway(plan, clusters);
      } else {
        String sidecar = previous.sidecar().orElseThrow().service();
        next = SidecarCompiler.compile(policies.sidecar(sidecar).orElseThrow(), policies, catalog);
      }
      out.put(e.getKey(), next);
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The services whose entry differs between the two catalogs, including added and removed ones.
   */
  // identity first: kept objects are interned, equals is the slow path
  @SuppressWarnings("ReferenceEquality")
  static Set<String> changedServices(ServiceCatalog before, ServiceCatalog after) {
    Set<String> changed = new HashSet<>();
    Map<String, Service> old = before.services();
    after
        .services()
        .forEach(
            (name, service) -> {
              Service was = old.get(name);
              // sources that rebuild every Service on each change still compare equal when nothing
              // changed
              if (was != service && !Objects.equals(was, service)) {
                changed.add(name);
              }
            });
    old.keySet().stream().filter(name -> !after.services().containsKey(name)).forEach(changed::add);
    return changed;
  }
}
