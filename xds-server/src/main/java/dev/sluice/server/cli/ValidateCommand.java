package dev.sluice.server.cli;

import dev.sluice.policy.PolicySet;
import dev.sluice.policy.PolicyValidation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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
    Optional<Path> reg = Optional.ofNullable(registry);
    if (reg.isEmpty()) {
      Path sibling = policies.toAbsolutePath().normalize().getParent().resolve("services.yaml");
      reg = Files.isRegularFile(sibling) ? Optional.of(sibling) : Optional.empty();
    }
    PolicyValidation.Report report = PolicyValidation.run(policies, reg);
    report.findings().forEach(f -> out.println(f.format()));
    if (report.errors() > 0) {
      out.printf("%d error(s), %d warning(s): nothing would be applied%n", report.errors(), report.warnings());
      out.flush();
      return 1;
    }
    PolicySet set = report.policies().orElseThrow();
    out.printf("ok: %d gateway(s), %d route(s)%s, %d warning(s)%n", set.gateways().size(), set.routes().size(),
        reg.map(r -> " checked against " + r).orElse(""), report.warnings());
    out.flush();
    return 0;
  }
}
