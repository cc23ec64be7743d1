package dev.sluice.policy;

import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.policy.mesh.MeshSpec;
import dev.sluice.policy.serviceaccess.ServiceAccessSpec;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks across the mesh kinds (Mesh, Sidecar, ServiceAccess). A service that has no Sidecar, or is
 * not in the registry, is a warning, not an error: services come and go. A gateway calls into the
 * mesh as {@code spiffe://<td>/service/<gateway name>} (as Consul's gateways do), so a
 * ServiceAccess names it in {@code from} like a service, and no Sidecar may share its name.
 */
public final class MeshChecks {
  private MeshChecks() {}

  /** One Mesh document at most: a second one is an error. */
  public static void oneMesh(PolicySet set, Diagnostics d) {
    List<MeshSpec> meshes = set.of(MeshSpec.class);
    for (int i = 1; i < meshes.size(); i++) {
      MeshSpec m = meshes.get(i);
      d.add(
          new Finding(
              Severity.ERROR,
              m.source().file(),
              m.source().position(),
              m.label(),
              "name",
              "only one Mesh is allowed: Mesh/"
                  + meshes.get(0).name()
                  + " is defined at "
                  + meshes.get(0).source()));
    }
  }

  /**
   * @param declaredSidecars every Sidecar written, valid or not, so that a Sidecar with its own
   *     error does not also make every reference to its service a warning
   */
  public static void check(PolicySet set, Set<String> declaredSidecars, Diagnostics d) {
    Set<String> gateways = gatewayNames(set);
    for (SidecarSpec s : set.sidecars()) {
      if (gateways.contains(s.name())) {
        d.add(
            new Finding(
                Severity.ERROR,
                s.source().file(),
                s.source().position(),
                s.label(),
                "name",
                "a Gateway is also named \""
                    + s.name()
                    + "\": both would call with the identity "
                    + set.mesh().spiffeId(s.name())
                    + "; rename one"));
      }
      for (int i = 0; i < s.upstreams().size(); i++) {
        SidecarSpec.Upstream u = s.upstreams().get(i);
        if (!declaredSidecars.contains(u.service())) {
          d.add(
              new Finding(
                  Severity.WARNING,
                  u.source().file(),
                  u.source().position(),
                  s.label(),
                  "upstreams[" + i + "].service",
                  "service \""
                      + u.service()
                      + "\" has no Sidecar: calls on local port "
                      + u.localPort()
                      + " get 503 until one is written"));
        }
      }
    }
    for (ServiceAccessSpec a : set.serviceAccess()) {
      if (!declaredSidecars.contains(a.to())) {
        d.add(
            new Finding(
                Severity.WARNING,
                a.source().file(),
                a.source().position(),
                a.label(),
                "to",
                "service \"" + a.to() + "\" has no Sidecar, so nothing enforces this rule yet"));
      }
      for (int i = 0; i < a.from().size(); i++) {
        String from = a.from().get(i);
        if (!declaredSidecars.contains(from) && !gateways.contains(from)) {
          d.add(
              new Finding(
                  Severity.WARNING,
                  a.source().file(),
                  a.source().position(),
                  a.label(),
                  "from[" + i + "]",
                  "service \""
                      + from
                      + "\" has no Sidecar and is no Gateway, so it has no mesh identity to call with"));
        }
      }
    }
  }

  /** Warnings about mesh policies naming services the registry does not know. */
  public static List<Finding> againstCatalog(PolicySet set, ServiceCatalog catalog) {
    List<Finding> out = new ArrayList<>();
    for (SidecarSpec s : set.sidecars()) {
      if (!catalog.contains(s.name())) {
        out.add(
            new Finding(
                Severity.WARNING,
                s.source().file(),
                s.source().position(),
                s.label(),
                "name",
                "service \""
                    + s.name()
                    + "\" is not in the registry: other sidecars reach it once it appears"));
      }
      for (int i = 0; i < s.upstreams().size(); i++) {
        SidecarSpec.Upstream u = s.upstreams().get(i);
        if (!catalog.contains(u.service())) {
          out.add(
              new Finding(
                  Severity.WARNING,
                  u.source().file(),
                  u.source().position(),
                  s.label(),
                  "upstreams[" + i + "].service",
                  "service \""
                      + u.service()
                      + "\" is not in the registry: calls get 503 until it appears"));
        }
      }
    }
    Set<String> gateways = gatewayNames(set);
    for (ServiceAccessSpec a : set.serviceAccess()) {
      for (String svc :
          Stream.concat(a.from().stream(), Stream.of(a.to()))
              .filter(n -> !gateways.contains(n))
              .distinct()
              .toList()) {
        if (!catalog.contains(svc)) {
          out.add(
              new Finding(
                  Severity.WARNING,
                  a.source().file(),
                  a.source().position(),
                  a.label(),
                  a.to().equals(svc) ? "to" : "from",
                  "service \"" + svc + "\" is not in the registry"));
        }
      }
    }
    return out;
  }

  private static Set<String> gatewayNames(PolicySet set) {
    return set.gateways().stream().map(g -> g.name()).collect(Collectors.toSet());
  }
}
