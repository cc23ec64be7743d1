package dev.sluice.server.cli;

import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicyKinds;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.PolicyValidation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    out.printf("ok: %s%s, %d warning(s)%n", summary(set), reg.map(r -> " checked against " + r).orElse(""), report.warnings());
    out.flush();
    return 0;
  }

  /** How many documents of each kind were read, in the registry's order, kinds with none left out. */
  static String summary(PolicySet set) {
    List<String> counts = new ArrayList<>();
    for (PolicyKind<?> kind : PolicyKinds.ALL) {
      int n = set.of(kind.type()).size();
      if (n > 0) {
        counts.add(kind.kind() + ": " + n);
      }
    }
    int total = set.all().size();
    return total + (total == 1 ? " document" : " documents") + (counts.isEmpty() ? "" : " (" + String.join(", ", counts) + ")");
  }
}
