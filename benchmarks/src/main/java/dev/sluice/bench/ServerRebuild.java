package dev.sluice.bench;

import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.ir.Compiler;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.policy.PolicySet;
import dev.sluice.xds.ConsistencyCheck;
import dev.sluice.xds.Translator;
import dev.sluice.xds.XdsResources;
import java.util.Map;
import java.util.TreeMap;

/**
 * The work the server does per rebuild, without its threads and I/O: compile the catalog and
 * policies (ConfigPipeline), translate each group and check it is consistent (ConfigPipeline),
 * then give every resource its content-hash version (HashedSnapshot).
 */
public final class ServerRebuild {
  public Map<String, ResourceVersions> rebuild(ServiceCatalog catalog, PolicySet policies) {
    Map<String, ResourceVersions> out = new TreeMap<>();
    for (Map.Entry<String, ProxyConfig> e : Compiler.compile(catalog, policies).entrySet()) {
      XdsResources resources = Translator.translate(e.getValue());
      if (!ConsistencyCheck.problems(resources).isEmpty()) {
        throw new IllegalStateException("inconsistent: " + ConsistencyCheck.problems(resources));
      }
      out.put(e.getKey(), ResourceVersions.of(resources));
    }
    return out;
  }

  public Map<String, ResourceVersions> rebuild(SyntheticConfig config) {
    return rebuild(config.catalog(), config.policies());
  }
}
