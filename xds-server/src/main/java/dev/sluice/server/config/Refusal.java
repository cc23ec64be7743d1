package dev.sluice.server.config;

import dev.sluice.yaml.Finding;
import java.time.Instant;
import java.util.List;

/**
 * A change Sluice refused: the policies or the registry file had errors, and the last good config
 * kept serving. Listed with the accepted changes, so a refused edit is never only in the log.
 *
 * @param files the files the errors are in
 * @param firstError the first error, formatted as validate prints it
 */
public record Refusal(
    String cause, Instant detectedAt, List<String> files, String firstError, int errors) {
  public Refusal {
    files = List.copyOf(files);
  }

  static Refusal of(String cause, Instant detectedAt, List<Finding> findings) {
    List<Finding> errors = findings.stream().filter(Finding::isError).toList();
    List<String> files =
        errors.stream()
            .map(f -> String.valueOf(f.file()))
            .distinct()
            .limit(ChangeSources.SHOWN)
            .toList();
    return new Refusal(
        cause, detectedAt, files, errors.isEmpty() ? "" : errors.get(0).format(), errors.size());
  }
}
