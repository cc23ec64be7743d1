package dev.sluice.server.cli;

import java.time.Duration;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations on the command line are written as in policies: 250ms, 2s, 1m, 1h. */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    var m = Pattern.compile("^(\\d+)(ms|s|m|h)$").matcher(value.trim());
    if (!m.matches()) {
      throw new TypeConversionException(
          "invalid duration '" + value + "' (write it like 250ms, 2s, 1m or 1h)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
