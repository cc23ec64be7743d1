package dev.sluice.server.cli;

import dev.sluice.discovery.FileCatalogSource;
import dev.sluice.policy.CrossChecks;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.yaml.Finding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Checks a policy folder the way {@code serve} would, printing one line per finding. Exit code 1
 * when any error is found, 0 with warnings only.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check policies (and the registry) without running anything. Exits 1 on errors, 0 otherwise.")
final class ValidateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", description = "The folder (or file) of policies.")
  Path policies;

  @Option(names = "--registry", description = "The registry file to check routes against (default: services.yaml next to the policy folder, if there is one).")
  Path registry;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PolicyLoader.Result result = PolicyLoader.load(policies);
    List<Finding> findings = new ArrayList<>(result.findings());
    Path reg = registry;
    if (reg == null) {
      Path sibling = policies.toAbsolutePath().normalize().getParent().resolve("services.yaml");
      reg = Files.isRegularFile(sibling) ? sibling : null;
    }
    if (reg != null) {
      FileCatalogSource.Result catalog = FileCatalogSource.read(reg);
      findings.addAll(catalog.findings());
      if (result.policies().isPresent() && catalog.catalog().isPresent()) {
        findings.addAll(CrossChecks.againstCatalog(result.policies().get(), catalog.catalog().get()));
      }
    }
    findings.sort(Finding.ORDER);
    findings.forEach(f -> out.println(f.format()));
    long errors = findings.stream().filter(Finding::isError).count();
    long warnings = findings.size() - errors;
    if (errors > 0) {
      out.printf("%d error(s), %d warning(s): nothing would be applied%n", errors, warnings);
      out.flush();
      return 1;
    }
    var set = result.policies().orElseThrow();
    out.printf("ok: %d gateway(s), %d route(s)%s, %d warning(s)%n", set.gateways().size(), set.routes().size(),
        reg == null ? "" : " checked against " + reg, warnings);
    out.flush();
    return 0;
  }
}
