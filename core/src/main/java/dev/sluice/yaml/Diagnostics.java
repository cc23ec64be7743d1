package dev.sluice.yaml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Collects findings while a whole input is read, so users see every mistake at once; and the other
 * files the input points at (certificates, descriptor sets), so a watcher can reload when one of
 * them changes.
 */
public final class Diagnostics {
  private final List<Finding> findings = new ArrayList<>();
  private final Set<Path> referencedFiles = new TreeSet<>();
  private final BiConsumer<YamlNode, Collection<String>> shapes;

  public Diagnostics() {
    this((map, fields) -> {});
  }

  private Diagnostics(BiConsumer<YamlNode, Collection<String>> shapes) {
    this.shapes = shapes;
  }

  /**
   * Diagnostics that also tell {@code shapes} each map a reader checks and the fields it allows
   * there: how the JSON Schema's test holds the schema to the readers, field by field. Loading
   * never asks for it.
   */
  public static Diagnostics observingShapes(BiConsumer<YamlNode, Collection<String>> shapes) {
    return new Diagnostics(shapes);
  }

  void shape(YamlNode map, Collection<String> fields) {
    shapes.accept(map, fields);
  }

  public void error(YamlNode at, String resource, String message) {
    add(Severity.ERROR, at, resource, message);
  }

  public void warning(YamlNode at, String resource, String message) {
    add(Severity.WARNING, at, resource, message);
  }

  /** Reports at the key of the field (where a typo or misplaced field is written). */
  public void errorAtKey(YamlNode at, String resource, String message) {
    findings.add(
        new Finding(Severity.ERROR, at.file(), at.keyPosition(), resource, at.path(), message));
  }

  public void add(Finding finding) {
    findings.add(finding);
  }

  public void fileError(Path file, String message) {
    findings.add(new Finding(Severity.ERROR, file, new Position(1, 1), "", "", message));
  }

  /** A warning about a file as a whole (one that is not read, say), at its first line. */
  public void fileWarning(Path file, String message) {
    findings.add(new Finding(Severity.WARNING, file, new Position(1, 1), "", "", message));
  }

  private void add(Severity severity, YamlNode at, String resource, String message) {
    Position p = at.isMissing() ? at.keyPosition() : at.position();
    findings.add(new Finding(severity, at.file(), p, resource, at.path(), message));
  }

  /** Notes a file the input refers to, read or not (a missing file is watched for its creation). */
  public void referencedFile(Path file) {
    referencedFiles.add(file.toAbsolutePath().normalize());
  }

  /** Every file noted with {@link #referencedFile}, absolute, sorted. */
  public Set<Path> referencedFiles() {
    return Collections.unmodifiableSet(new TreeSet<>(referencedFiles));
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(Finding::isError);
  }

  public List<Finding> findings() {
    return findings.stream().sorted(Finding.ORDER).toList();
  }
}
