package dev.sluice.policy.serviceaccess;

import dev.sluice.policy.Names;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.Source;
import dev.sluice.policy.access.Access;
import dev.sluice.policy.access.AccessRule;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 *
 *
 * <pre>
 * kind: ServiceAccess
 * name: web-to-orders
 * from: [web, admin]                 # one name or a list
 * to: orders
 * when: {paths: [/orders], methods: [GET], headers: {x-tenant: acme}}   # optional
 * </pre>
 *
 * Enforced by the sidecars of {@code to} on the caller's verified SPIFFE identity.
 */
public final class ServiceAccessKind implements PolicyKind<ServiceAccessSpec> {
  /** Conditions a sidecar can check on any request; the caller itself is {@code from}. */
  static final Set<String> CONDITIONS = Set.of("paths", "methods", "headers");

  @Override
  public String kind() {
    return ServiceAccessSpec.KIND;
  }

  @Override
  public Class<ServiceAccessSpec> type() {
    return ServiceAccessSpec.class;
  }

  /** The sidecars of the service the statement protects: they enforce it. */
  @Override
  public Set<String> groups(ServiceAccessSpec spec, PolicySet set) {
    return set.sidecar(spec.to()).map(s -> Set.of(SidecarSpec.group(s.name()))).orElse(Set.of());
  }

  @Override
  public Set<String> fields() {
    return Set.of("kind", "name", "from", "to", "when");
  }

  @Override
  public Optional<ServiceAccessSpec> read(String name, YamlNode doc, Fields f, Source source) {
    YamlNode fromNode = doc.get("from");
    List<String> from = new ArrayList<>();
    if (fromNode.isAbsent()) {
      f.error(fromNode, "required field is missing (the calling services)");
    } else if (fromNode.isScalar()) {
      Names.name(fromNode, f).ifPresent(from::add);
    } else if (!fromNode.isArray()) {
      f.error(fromNode, "expected a service name or a list of them, got " + fromNode.typeName());
    } else if (fromNode.elements().isEmpty()) {
      f.error(fromNode, "name at least one calling service");
    } else {
      for (YamlNode e : fromNode.elements()) {
        Names.name(e, f).filter(s -> !from.contains(s)).ifPresent(from::add);
      }
    }
    Optional<String> to = Names.name(doc.get("to"), f);
    YamlNode whenNode = doc.get("when");
    Optional<AccessRule> when =
        whenNode.isAbsent()
            ? Optional.of(
                new AccessRule(
                    true, List.of(), List.of(), List.of(), Map.of(), Map.of(), List.of(), List.of(),
                    source))
            : Access.conditions(
                true, whenNode, f, CONDITIONS, new Source(whenNode.file(), whenNode.position()));
    if (from.isEmpty() || to.isEmpty() || when.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ServiceAccessSpec(name, source, from, to.get(), when.get()));
  }
}
