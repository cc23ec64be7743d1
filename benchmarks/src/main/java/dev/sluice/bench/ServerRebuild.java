package dev.sluice.bench;

import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.ir.IncrementalCompiler;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.policy.PolicySet;
import dev.sluice.xds.ConsistencyCheck;
import dev.sluice.xds.IncrementalTranslator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The work the server does per rebuild, without its threads and I/O: compile the catalog and
 * policies, translate each group and check it is consistent (ConfigPipeline, with the same
 * incremental compiler and translator), then give every resource its content-hash version
 * (HashedSnapshot). A new instance remembers nothing: its first rebuild is a full one.
 */
public final class ServerRebuild {
  private final IncrementalCompiler compiler = new IncrementalCompiler();
  private final IncrementalTranslator translator = new IncrementalTranslator();

  public Map<String, ResourceVersions> rebuild(ServiceCatalog catalog, PolicySet policies) {
    Map<String, ProxyConfig> compiled = compiler.compile(catalog, policies);
    Map<String, ResourceVersions> out = new TreeMap<>();
    translator
        .translate(compiled)
        .forEach(
            (group, resources) -> {
              List<String> problems = ConsistencyCheck.problems(resources);
              if (!problems.isEmpty()) {
                throw new IllegalStateException("inconsistent: " + problems);
              }
              out.put(group, ResourceVersions.of(resources));
            });
    return out;
  }

  public Map<String, ResourceVersions> rebuild(SyntheticConfig config) {
    return rebuild(config.catalog(), config.policies());
  }
}
