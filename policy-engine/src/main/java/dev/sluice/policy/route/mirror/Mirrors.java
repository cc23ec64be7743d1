package dev.sluice.policy.route.mirror;

import dev.sluice.policy.Names;
import dev.sluice.policy.Source;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 *
 *
 * <pre>
 * mirror: users-shadow                       # every request, or
 * mirror: {service: users-shadow, percent: 10}
 * mirror: [{service: a, percent: 5}, b]      # several
 * </pre>
 */
public final class Mirrors {
  private Mirrors() {}

  public static List<MirrorSpec> read(YamlNode n, Fields f) {
    List<MirrorSpec> out = new ArrayList<>();
    if (n.isAbsent()) {
      return out;
    }
    for (YamlNode item : n.isArray() ? n.elements() : List.of(n)) {
      Source source = new Source(item.file(), item.position());
      if (item.isScalar()) {
        Names.name(item, f).ifPresent(s -> out.add(new MirrorSpec(s, 100, source)));
        continue;
      }
      if (!f.object(item, Set.of("service", "percent"))) {
        continue;
      }
      var service = Names.name(item.get("service"), f);
      double percent = 100;
      YamlNode p = item.get("percent");
      if (!p.isAbsent()) {
        if (!p.value().isNumber() || p.value().asDouble() < 0 || p.value().asDouble() > 100) {
          f.error(
              p,
              "expected a percentage from 0 to 100, got "
                  + (p.isScalar() ? p.value().asText() : p.typeName()));
          continue;
        }
        percent = p.value().asDouble();
      }
      double share = percent;
      service.ifPresent(s -> out.add(new MirrorSpec(s, share, source)));
    }
    return out;
  }
}
