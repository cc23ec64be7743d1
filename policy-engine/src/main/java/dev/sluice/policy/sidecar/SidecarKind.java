package dev.sluice.policy.sidecar;

import dev.sluice.policy.CrossCheck;
import dev.sluice.policy.MeshChecks;
import dev.sluice.policy.Names;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.ProxyGroups;
import dev.sluice.policy.Source;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 *
 *
 * <pre>
 * kind: Sidecar
 * name: orders                        # the service
 * inbound: {port: 21000, appPort: 8080}
 * upstreams:
 *   - {service: users, localPort: 9001}
 * </pre>
 *
 * Checks within the document: local ports unique and distinct from the inbound and app ports, no
 * service listed twice, no upstream to the service itself.
 */
public final class SidecarKind implements PolicyKind<SidecarSpec> {
  @Override
  public String kind() {
    return SidecarSpec.KIND;
  }

  @Override
  public Class<SidecarSpec> type() {
    return SidecarSpec.class;
  }

  /** The service's own sidecars, and every proxy that calls the service through them. */
  @Override
  public Set<String> groups(SidecarSpec spec, PolicySet set) {
    Set<String> out = new TreeSet<>(ProxyGroups.calling(set, spec.name()));
    out.add(SidecarSpec.group(spec.name()));
    return out;
  }

  @Override
  public List<CrossCheck> checks() {
    return List.of(
        (set, declared, d) -> MeshChecks.check(set, declared.names(SidecarSpec.KIND), d));
  }

  @Override
  public Set<String> fields() {
    return Set.of("kind", "name", "inbound", "upstreams");
  }

  @Override
  public Optional<SidecarSpec> read(String name, YamlNode doc, Fields f, Source source) {
    YamlNode in = doc.get("inbound");
    OptionalInt port = OptionalInt.empty();
    OptionalInt appPort = OptionalInt.empty();
    boolean inboundRead = false;
    if (in.isAbsent()) {
      f.error(
          in,
          "required field is missing ({port: <public mTLS port>, appPort: <the application's port>})");
    } else if (f.object(in, Set.of("port", "appPort"))) {
      port = required(in, "port", f);
      appPort = required(in, "appPort", f);
      inboundRead = true;
    }
    if (inboundRead
        && port.isPresent()
        && appPort.isPresent()
        && port.getAsInt() == appPort.getAsInt()) {
      f.error(
          in.get("appPort"),
          "the application cannot share the sidecar's inbound port " + port.getAsInt());
    }
    List<SidecarSpec.Upstream> upstreams = new ArrayList<>();
    YamlNode ups = doc.get("upstreams");
    if (!ups.isAbsent() && !ups.isArray()) {
      f.error(
          ups, "expected a list like - {service: users, localPort: 9001}, got " + ups.typeName());
    } else if (ups.isArray()) {
      Map<Integer, String> ports = new HashMap<>();
      Map<String, Integer> services = new HashMap<>();
      for (YamlNode u : ups.elements()) {
        if (!f.object(u, Set.of("service", "localPort"))) {
          continue;
        }
        Optional<String> service = Names.name(u.get("service"), f);
        OptionalInt local = required(u, "localPort", f);
        if (service.isEmpty() || local.isEmpty()) {
          continue;
        }
        int lp = local.getAsInt();
        if (service.get().equals(name)) {
          f.error(u.get("service"), "a sidecar does not call its own service through the mesh");
          continue;
        }
        Integer earlierPort = services.putIfAbsent(service.get(), lp);
        if (earlierPort != null) {
          f.error(
              u.get("service"),
              "service \""
                  + service.get()
                  + "\" is already an upstream on local port "
                  + earlierPort);
          continue;
        }
        String earlier = ports.putIfAbsent(lp, service.get());
        if (earlier != null) {
          f.error(
              u.get("localPort"),
              "local port " + lp + " is already used by upstream \"" + earlier + "\"");
          continue;
        }
        if ((port.isPresent() && lp == port.getAsInt())
            || (appPort.isPresent() && lp == appPort.getAsInt())) {
          f.error(
              u.get("localPort"),
              "local port " + lp + " is the sidecar's inbound or application port");
          continue;
        }
        upstreams.add(
            new SidecarSpec.Upstream(service.get(), lp, new Source(u.file(), u.position())));
      }
    }
    if (port.isEmpty() || appPort.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new SidecarSpec(name, source, port.getAsInt(), appPort.getAsInt(), upstreams));
  }

  private static OptionalInt required(YamlNode parent, String field, Fields f) {
    if (parent.get(field).isAbsent()) {
      f.error(parent.get(field), "required field is missing");
      return OptionalInt.empty();
    }
    return f.integer(parent.get(field), 1, 65535);
  }
}
