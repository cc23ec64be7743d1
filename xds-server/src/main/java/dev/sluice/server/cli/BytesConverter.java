package dev.sluice.server.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A number of bytes: {@code 1048576}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB}. */
final class BytesConverter implements ITypeConverter<Long> {
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(|B|KiB|MiB|GiB)");

  @Override
  public Long convert(String value) {
    Matcher m = SIZE.matcher(value.trim());
    if (!m.matches()) {
      throw new TypeConversionException(
          "invalid size '" + value + "' (bytes, or a number with KiB, MiB or GiB)");
    }
    int shift =
        switch (m.group(2)) {
          case "KiB" -> 10;
          case "MiB" -> 20;
          case "GiB" -> 30;
          default -> 0;
        };
    long n = Long.parseLong(m.group(1));
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new TypeConversionException("size '" + value + "' is too large");
    }
    return n << shift;
  }
}
