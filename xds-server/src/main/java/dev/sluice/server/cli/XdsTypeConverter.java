package dev.sluice.server.cli;

import dev.sluice.server.render.XdsType;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --type listeners|routes|clusters|endpoints|secrets}. */
final class XdsTypeConverter implements ITypeConverter<XdsType> {
  @Override
  public XdsType convert(String value) {
    return XdsType.byKey(value.trim().toLowerCase(Locale.ROOT))
        .orElseThrow(
            () ->
                new TypeConversionException(
                    "unknown type '"
                        + value
                        + "' (one of "
                        + String.join(", ", XdsType.keys())
                        + ")"));
  }
}
