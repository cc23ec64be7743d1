package dev.sluice.policy;

import dev.sluice.discovery.FileCatalogSource;
import dev.sluice.yaml.Finding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code sluice validate} checks: the policies, the registry file if one is given, and the
 * policies against the registry. Errors and warnings come together, so one run shows everything.
 */
public final class PolicyValidation {
  private PolicyValidation() {}

  /**
   * @param policies the valid set, present only when no finding is an error
   */
  public record Report(Optional<PolicySet> policies, List<Finding> findings) {
    public long errors() {
      return findings.stream().filter(Finding::isError).count();
    }

    public long warnings() {
      return findings.size() - errors();
    }
  }

  public static Report run(Path policies, Optional<Path> registry) {
    PolicyLoader.Result loaded = PolicyLoader.load(policies);
    List<Finding> findings = new ArrayList<>(loaded.findings());
    registry.ifPresent(
        file -> {
          FileCatalogSource.Result catalog = FileCatalogSource.read(file);
          findings.addAll(catalog.findings());
          catalog
              .catalog()
              .ifPresent(c -> findings.addAll(CrossChecks.againstCatalog(loaded.readable(), c)));
        });
    findings.sort(Finding.ORDER);
    boolean errors = findings.stream().anyMatch(Finding::isError);
    return new Report(errors ? Optional.empty() : loaded.policies(), List.copyOf(findings));
  }
}
