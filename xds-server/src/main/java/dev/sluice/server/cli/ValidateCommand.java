package dev.sluice.server.cli;

import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicyKinds;
import dev.sluice.policy.PolicySet;
import dev.sluice.yaml.Finding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Checks a policy folder the way {@code serve} would, printing one line per finding. Exit code 1
 * when any error is found, 0 with warnings only, 2 when the folder does not exist or the registry
 * cannot be read.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Check policies (and the registry) without running anything. Exits 1 on errors, 2 when the folder does not"
            + " exist or the registry cannot be read, 0 otherwise. With no --registry and no services.yaml next to the policies, routes are not checked"
            + " against a registry.")
final class ValidateCommand implements Callable<Integer> {
  static final String NOTHING_FOUND =
      "no policy documents found (policies are read from *.yaml and *.yml files; names starting"
          + " with a dot are skipped)";

  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "The folder (or file) of policies.")
  Path policies;

  @Mixin RegistryOption registry;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (!Files.exists(policies)) {
        throw new CliFailure(ExitCodes.USAGE, "no such policy folder or file: " + policies);
      }
      Inputs.Registry reg = registry();
      Inputs.Policies checked = Inputs.policies(policies, reg);
      List<Finding> findings = new ArrayList<>(reg.findings());
      findings.addAll(checked.findings());
      findings.sort(Finding.ORDER);
      findings.forEach(f -> out.println(f.format()));
      long errors = findings.stream().filter(Finding::isError).count();
      if (errors > 0) {
        out.printf(
            "%d error(s), %d warning(s): nothing would be applied%n",
            errors, findings.size() - errors);
        return ExitCodes.INVALID;
      }
      PolicySet set = checked.set().orElseThrow();
      int warnings = findings.size();
      if (set.all().isEmpty()) {
        out.println("warning: " + policies + ": " + NOTHING_FOUND);
        warnings++;
      }
      String against =
          reg.equals(Inputs.Registry.NONE) ? "" : " checked against " + reg.description();
      out.printf("ok: %s%s, %d warning(s)%n", summary(set), against, warnings);
      return ExitCodes.OK;
    } catch (CliFailure e) {
      err.println("validate: " + e.getMessage());
      return e.exitCode;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private Inputs.Registry registry() throws CliFailure {
    if (registry.location != null) {
      return Inputs.registry(registry.location);
    }
    Path sibling = policies.toAbsolutePath().normalize().getParent().resolve("services.yaml");
    return Files.isRegularFile(sibling)
        ? Inputs.registry(sibling.toString())
        : Inputs.Registry.NONE;
  }

  /**
   * How many documents of each kind were read, in the registry's order, kinds with none left out.
   */
  static String summary(PolicySet set) {
    List<String> counts = new ArrayList<>();
    for (PolicyKind<?> kind : PolicyKinds.ALL) {
      int n = set.of(kind.type()).size();
      if (n > 0) {
        counts.add(kind.kind() + ": " + n);
      }
    }
    int total = set.all().size();
    return total
        + (total == 1 ? " document" : " documents")
        + (counts.isEmpty() ? "" : " (" + String.join(", ", counts) + ")");
  }
}
