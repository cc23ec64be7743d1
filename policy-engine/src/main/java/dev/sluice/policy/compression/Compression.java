package dev.sluice.policy.compression;

import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 *
 *
 * <pre>
 * compression:
 *   algorithms: [brotli, gzip]   # default [gzip]
 *   minLength: 1024              # default 30 bytes (Envoy's)
 *   contentTypes: [application/json, text/html]   # default: Envoy's list
 * </pre>
 */
public final class Compression {
  static final Set<String> ALGORITHMS = Set.of("gzip", "brotli");

  private Compression() {}

  public static Optional<CompressionSpec> read(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("algorithms", "minLength", "contentTypes"))) {
      return Optional.empty();
    }
    List<String> algorithms = f.strings(n.get("algorithms"));
    for (int i = 0; i < algorithms.size(); i++) {
      if (!ALGORITHMS.contains(algorithms.get(i))) {
        f.error(
            n.get("algorithms").isArray()
                ? n.get("algorithms").elements().get(i)
                : n.get("algorithms"),
            "unknown algorithm \"" + algorithms.get(i) + "\" (gzip or brotli)");
      }
    }
    int minLength = f.integer(n.get("minLength"), 0, 10_000_000).orElse(30);
    return Optional.of(
        new CompressionSpec(
            algorithms.isEmpty() ? List.of("gzip") : algorithms.stream().distinct().toList(),
            minLength,
            f.strings(n.get("contentTypes"))));
  }
}
