package dev.sluice.yaml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects findings while a whole input is read, so users see every mistake at once. */
public final class Diagnostics {
  private final List<Finding> findings = new ArrayList<>();

  public void error(YamlNode at, String resource, String message) {
    add(Severity.ERROR, at, resource, message);
  }

  public void warning(YamlNode at, String resource, String message) {
    add(Severity.WARNING, at, resource, message);
  }

  /** Reports at the key of the field (where a typo or misplaced field is written). */
  public void errorAtKey(YamlNode at, String resource, String message) {
    findings.add(new Finding(Severity.ERROR, at.file(), at.keyPosition(), resource, at.path(), message));
  }

  public void add(Finding finding) {
    findings.add(finding);
  }

  public void fileError(Path file, String message) {
    findings.add(new Finding(Severity.ERROR, file, new Position(1, 1), "", "", message));
  }

  private void add(Severity severity, YamlNode at, String resource, String message) {
    Position p = at.isMissing() ? at.keyPosition() : at.position();
    findings.add(new Finding(severity, at.file(), p, resource, at.path(), message));
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(Finding::isError);
  }

  public List<Finding> findings() {
    return findings.stream().sorted(Finding.ORDER).toList();
  }
}
