package dev.sluice.policy.mesh;

import dev.sluice.core.NameRules;
import dev.sluice.policy.CrossCheck;
import dev.sluice.policy.MeshChecks;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.ProxyGroups;
import dev.sluice.policy.Source;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 *
 *
 * <pre>
 * kind: Mesh
 * name: mesh
 * trustDomain: sluice.local   # default sluice.local
 * defaultAccess: deny         # deny (default) or allow
 * </pre>
 */
public final class MeshKind implements PolicyKind<MeshSpec> {
  @Override
  public String kind() {
    return MeshSpec.KIND;
  }

  @Override
  public Class<MeshSpec> type() {
    return MeshSpec.class;
  }

  /** Every sidecar, and every gateway that calls a service through its sidecars. */
  @Override
  public Set<String> groups(MeshSpec spec, PolicySet set) {
    Set<String> out = new TreeSet<>();
    for (SidecarSpec s : set.sidecars()) {
      out.add(SidecarSpec.group(s.name()));
      out.addAll(ProxyGroups.gatewaysCalling(set, s.name()));
    }
    return out;
  }

  @Override
  public List<CrossCheck> checks() {
    return List.of((set, declared, d) -> MeshChecks.oneMesh(set, d));
  }

  @Override
  public Set<String> fields() {
    return Set.of("kind", "name", "trustDomain", "defaultAccess");
  }

  @Override
  public Optional<MeshSpec> read(String name, YamlNode doc, Fields f, Source source) {
    String trustDomain = MeshSpec.DEFAULT_TRUST_DOMAIN;
    Optional<String> td = f.string(doc.get("trustDomain"));
    if (td.isPresent()) {
      if (NameRules.isTrustDomain(td.get())) {
        trustDomain = td.get();
      } else {
        f.error(
            doc.get("trustDomain"),
            "\""
                + td.get()
                + "\" is not a trust domain: use lower-case letters, digits, '.', '_' and '-' (example: sluice.local)");
      }
    }
    MeshSpec.DefaultAccess access = MeshSpec.DefaultAccess.DENY;
    Optional<String> a = f.string(doc.get("defaultAccess"));
    if (a.isPresent()) {
      switch (a.get()) {
        case "deny" -> access = MeshSpec.DefaultAccess.DENY;
        case "allow" -> access = MeshSpec.DefaultAccess.ALLOW;
        default ->
            f.error(doc.get("defaultAccess"), "expected deny or allow, got \"" + a.get() + "\"");
      }
    }
    return Optional.of(new MeshSpec(name, source, trustDomain, access));
  }
}
