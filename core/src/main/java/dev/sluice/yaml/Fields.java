package dev.sluice.yaml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of YAML fields that report mistakes to {@link Diagnostics} instead of throwing, so a
 * validator reads like the spec it checks. Every method returns empty on a bad value after
 * reporting it.
 */
public final class Fields {
  private static final Pattern DURATION = Pattern.compile("^(\\d+)(ms|s|m|h)$");

  /** The largest google.protobuf.Duration (10,000 years); Envoy rejects anything longer. */
  static final long MAX_DURATION_SECONDS = 315_576_000_000L;

  private final Diagnostics diagnostics;
  private final String resource;

  public Fields(Diagnostics diagnostics, String resource) {
    this.diagnostics = diagnostics;
    this.resource = resource;
  }

  public Diagnostics diagnostics() {
    return diagnostics;
  }

  public String resource() {
    return resource;
  }

  public void error(YamlNode at, String message) {
    diagnostics.error(at, resource, message);
  }

  public void warning(YamlNode at, String message) {
    diagnostics.warning(at, resource, message);
  }

  /**
   * Reports every key of {@code object} that is not in {@code allowed}, suggesting the nearest one.
   */
  public boolean object(YamlNode object, Collection<String> allowed) {
    if (!object.isObject()) {
      error(object, "expected a map, got " + object.typeName());
      return false;
    }
    diagnostics.shape(object, allowed);
    for (var e : object.fields().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        String hint =
            Suggest.closest(e.getKey(), allowed)
                .map(s -> " (did you mean '" + s + "'?)")
                .orElse("");
        diagnostics.errorAtKey(e.getValue(), resource, "unknown field '" + e.getKey() + "'" + hint);
      }
    }
    return true;
  }

  public Optional<String> string(YamlNode n) {
    if (n.isAbsent()) {
      return Optional.empty();
    }
    if (!n.isScalar() || n.value().isBoolean()) {
      error(n, "expected a string, got " + n.typeName());
      return Optional.empty();
    }
    return Optional.of(n.value().asText());
  }

  public Optional<String> requiredString(YamlNode n) {
    if (n.isAbsent()) {
      error(n, "required field is missing");
      return Optional.empty();
    }
    Optional<String> s = string(n);
    if (s.isPresent() && s.get().isBlank()) {
      error(n, "must not be empty");
      return Optional.empty();
    }
    return s;
  }

  public OptionalInt integer(YamlNode n, long min, long max) {
    if (n.isAbsent()) {
      return OptionalInt.empty();
    }
    if (!n.value().isIntegralNumber()) {
      error(
          n,
          "expected a whole number, got "
              + n.typeName()
              + (n.value().isTextual() ? " \"" + n.value().asText() + "\"" : ""));
      return OptionalInt.empty();
    }
    long v = n.value().asLong();
    if (!n.value().canConvertToLong() || v < min || v > max) {
      error(n, n.value().asText() + " is out of range " + min + ".." + max);
      return OptionalInt.empty();
    }
    return OptionalInt.of((int) v);
  }

  public Optional<Boolean> bool(YamlNode n) {
    if (n.isAbsent()) {
      return Optional.empty();
    }
    if (!n.value().isBoolean()) {
      error(n, "expected true or false, got " + n.typeName());
      return Optional.empty();
    }
    return Optional.of(n.value().booleanValue());
  }

  /** Durations are written like {@code 250ms}, {@code 2s}, {@code 1m} or {@code 1h}. */
  public Optional<Duration> duration(YamlNode n) {
    if (n.isAbsent()) {
      return Optional.empty();
    }
    if (!n.isScalar()) {
      error(n, "expected a duration like 250ms, 2s, 1m or 1h, got " + n.typeName());
      return Optional.empty();
    }
    String text = n.value().asText().trim();
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      error(
          n, "invalid duration \"" + n.value().asText() + "\" (write it like 250ms, 2s, 1m or 1h)");
      return Optional.empty();
    }
    try {
      long amount = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
          };
      if (d.toSeconds() <= MAX_DURATION_SECONDS) {
        return Optional.of(d);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // too many digits: reported below
    }
    error(n, "duration \"" + text + "\" is too long (at most " + MAX_DURATION_SECONDS + "s)");
    return Optional.empty();
  }

  /** A list of strings; a single string is accepted as a list of one. */
  public List<String> strings(YamlNode n) {
    List<String> out = new ArrayList<>();
    if (n.isAbsent()) {
      return out;
    }
    if (n.isScalar()) {
      string(n).ifPresent(out::add);
      return out;
    }
    if (!n.isArray()) {
      error(n, "expected a list of strings, got " + n.typeName());
      return out;
    }
    for (YamlNode e : n.elements()) {
      string(e).ifPresent(out::add);
    }
    return out;
  }
}
