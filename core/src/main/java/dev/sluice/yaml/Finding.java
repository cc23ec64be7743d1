package dev.sluice.yaml;

import java.nio.file.Path;
import java.util.Comparator;

/**
 * One problem found in user input: where it is (file, line, column), which field (a path such as
 * {@code to[1].weight}), in which resource (such as {@code Route/users}), and what is wrong.
 */
public record Finding(
    Severity severity,
    Path file,
    Position position,
    String resource,
    String field,
    String message) {

  public static final Comparator<Finding> ORDER =
      Comparator.comparing((Finding f) -> String.valueOf(f.file()))
          .thenComparingInt(f -> f.position().line())
          .thenComparingInt(f -> f.position().column())
          .thenComparing(Finding::message);

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** The one-line form printed by {@code sluice validate} and logged by {@code sluice serve}. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append(severity.label()).append(": ").append(file == null ? "<input>" : file.toString());
    sb.append(':').append(position.line()).append(':').append(position.column()).append(": ");
    if (resource != null && !resource.isEmpty()) {
      sb.append(resource).append(' ');
    }
    if (field != null && !field.isEmpty()) {
      sb.append("field ").append(field).append(": ");
    }
    sb.append(message);
    return sb.toString();
  }

  @Override
  public String toString() {
    return format();
  }
}
