package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.ir.Compiler;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.xds.Translator;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.YamlFiles;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JitWarmUpTest {
  @Test
  void warmingUpRunsTheFullRebuildOnTheGivenInputsAndLeavesThemAsTheyWere() throws Exception {
    ServiceCatalog catalog =
        ServiceCatalog.of(
            List.of(new Service("users", List.of(ServiceInstance.of("10.0.0.1", 8080)))));
    PolicySet policies =
        PolicyLoader.fromDocuments(
                YamlFiles.parse(
                    Path.of("p.yaml"),
                    """
        kind: Gateway
        name: edge
        port: 8080
        ---
        kind: Route
        name: users
        to: users
        """),
                new Diagnostics())
            .policies()
            .orElseThrow();
    var before = Translator.translate(Compiler.compile(catalog, policies).get("edge"));

    int rounds = JitWarmUp.run(catalog, policies);

    assertThat(rounds).isBetween(1, JitWarmUp.ROUNDS);
    assertThat(Translator.translate(Compiler.compile(catalog, policies).get("edge")))
        .isEqualTo(before);
  }
}
