package dev.sluice.server.cli;

import dev.sluice.server.ratelimit.FailureMode;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A rate-limit failure mode: {@code open}, {@code closed} or {@code unavailable}. */
final class FailureModeConverter implements ITypeConverter<FailureMode> {
  @Override
  public FailureMode convert(String value) {
    try {
      return FailureMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(
          "invalid failure mode '" + value + "' (open, closed or unavailable)");
    }
  }
}
