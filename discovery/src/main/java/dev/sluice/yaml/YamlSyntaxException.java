package dev.sluice.yaml;

import java.nio.file.Path;

/** The file is not YAML at all (bad indentation, unclosed quote, tab...). */
public final class YamlSyntaxException extends Exception {
  private final Finding finding;

  public YamlSyntaxException(Path file, Position position, String message) {
    super(message);
    this.finding = new Finding(Severity.ERROR, file, position, "", "", message);
  }

  public Finding finding() {
    return finding;
  }
}
