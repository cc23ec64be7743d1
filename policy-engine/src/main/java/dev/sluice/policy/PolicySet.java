package dev.sluice.policy;

import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.consumer.ConsumerSpec;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.jwt.JwtProviderSpec;
import dev.sluice.policy.mesh.MeshSpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.serviceaccess.ServiceAccessSpec;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.policy.upstream.UpstreamSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every valid policy, by kind in the order of {@link PolicyKinds}, and within a kind in declaration
 * order (files sorted by path, then documents in file order). Route order matters: the first
 * matching route wins, as in Istio's VirtualService.
 *
 * <p>The typed accessors ({@link #gateways()}, {@link #routes()}, ...) are conveniences over {@link
 * #of(Class)}; a new kind needs none of its own.
 */
public final class PolicySet {
  public static final PolicySet EMPTY = builder().build();

  private final Map<Class<? extends PolicyResource>, List<? extends PolicyResource>> byType;

  private PolicySet(Map<Class<? extends PolicyResource>, List<? extends PolicyResource>> byType) {
    this.byType = byType;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The specs of one kind, in declaration order. */
  @SuppressWarnings("unchecked")
  public <T extends PolicyResource> List<T> of(Class<T> type) {
    return (List<T>) byType.getOrDefault(type, List.of());
  }

  /** Every spec, kind by kind in the registry's order. */
  public List<PolicyResource> all() {
    List<PolicyResource> out = new ArrayList<>();
    PolicyKinds.ALL.forEach(k -> out.addAll(of(k.type())));
    return out;
  }

  /** This set with the specs of one kind replaced. */
  public <T extends PolicyResource> PolicySet with(Class<T> type, List<T> specs) {
    Map<Class<? extends PolicyResource>, List<? extends PolicyResource>> copy =
        new LinkedHashMap<>(byType);
    copy.put(type, List.copyOf(specs));
    return new PolicySet(copy);
  }

  public List<GatewaySpec> gateways() {
    return of(GatewaySpec.class);
  }

  public List<RouteSpec> routes() {
    return of(RouteSpec.class);
  }

  public List<UpstreamSpec> upstreams() {
    return of(UpstreamSpec.class);
  }

  public List<ConsumerSpec> consumers() {
    return of(ConsumerSpec.class);
  }

  public List<JwtProviderSpec> jwtProviders() {
    return of(JwtProviderSpec.class);
  }

  public List<SidecarSpec> sidecars() {
    return of(SidecarSpec.class);
  }

  public List<ServiceAccessSpec> serviceAccess() {
    return of(ServiceAccessSpec.class);
  }

  /** The Mesh settings: the one Mesh written, or the defaults. */
  public MeshSpec mesh() {
    return of(MeshSpec.class).stream().findFirst().orElse(MeshSpec.DEFAULT);
  }

  public Optional<SidecarSpec> sidecar(String service) {
    return Optional.ofNullable(PolicyIndex.of(this).sidecars.get(service));
  }

  /** The ServiceAccess statements whose {@code to} is the service, in declaration order. */
  public List<ServiceAccessSpec> accessTo(String service) {
    return PolicyIndex.of(this).accessByService.getOrDefault(service, List.of());
  }

  /** The Upstream policy of a service, if one is written. */
  public Optional<UpstreamSpec> upstream(String service) {
    return Optional.ofNullable(PolicyIndex.of(this).upstreams.get(service));
  }

  public Optional<GatewaySpec> gateway(String name) {
    return Optional.ofNullable(PolicyIndex.of(this).gateways.get(name));
  }

  /** Routes attached to a gateway, in declaration order. */
  public List<RouteSpec> routesOf(String gateway) {
    return PolicyIndex.of(this).routesByGateway.getOrDefault(gateway, List.of());
  }

  public Optional<JwtProviderSpec> jwtProvider(String name) {
    return Optional.ofNullable(PolicyIndex.of(this).jwtProviders.get(name));
  }

  /** The route's own auth, else its gateway's; empty when there is none. */
  public Optional<AuthSpec> effectiveAuth(RouteSpec r) {
    var own = r.options().security().auth();
    var auth = own.isPresent() ? own : gateway(r.gateway()).flatMap(g -> g.security().auth());
    return auth.filter(a -> !a.isNone());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicySet other && byType.equals(other.byType);
  }

  @Override
  public int hashCode() {
    return byType.hashCode();
  }

  @Override
  public String toString() {
    return "PolicySet" + byType.values();
  }

  /** Collects specs of any registered kind, each kind in the order they are added. */
  public static final class Builder {
    private final Map<Class<? extends PolicyResource>, List<PolicyResource>> byType =
        new LinkedHashMap<>();

    private Builder() {
      PolicyKinds.ALL.forEach(k -> byType.put(k.type(), new ArrayList<>()));
    }

    public Builder add(PolicyResource spec) {
      List<PolicyResource> specs = byType.get(spec.getClass());
      if (specs == null) {
        throw new IllegalArgumentException(
            spec.getClass().getSimpleName() + " is not the spec of a registered kind");
      }
      specs.add(spec);
      return this;
    }

    public Builder addAll(List<? extends PolicyResource> specs) {
      specs.forEach(this::add);
      return this;
    }

    public PolicySet build() {
      Map<Class<? extends PolicyResource>, List<? extends PolicyResource>> out =
          new LinkedHashMap<>();
      byType.forEach((type, specs) -> out.put(type, List.copyOf(specs)));
      return new PolicySet(out);
    }
  }
}
