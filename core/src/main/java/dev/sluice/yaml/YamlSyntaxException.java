package dev.sluice.yaml;

import java.nio.file.Path;
import java.util.List;

/** The file is not YAML at all (bad indentation, unclosed quote, tab...). */
public final class YamlSyntaxException extends Exception {
  private final Finding finding;
  private final transient List<YamlDocument> documentsBefore;

  public YamlSyntaxException(Path file, Position position, String message) {
    this(file, position, message, List.of());
  }

  /**
   * @param documentsBefore the file's documents that end before the mistake
   */
  public YamlSyntaxException(
      Path file, Position position, String message, List<YamlDocument> documentsBefore) {
    super(message);
    this.finding = new Finding(Severity.ERROR, file, position, "", "", message);
    this.documentsBefore = List.copyOf(documentsBefore);
  }

  /** The documents that end before the mistake: they are whole, and can be checked on their own. */
  public List<YamlDocument> documentsBefore() {
    return documentsBefore;
  }

  public Finding finding() {
    return finding;
  }
}
