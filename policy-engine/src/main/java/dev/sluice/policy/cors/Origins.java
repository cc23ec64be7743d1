package dev.sluice.policy.cors;

import java.util.Optional;

/**
 * How an allowed origin is matched: exactly, or, for a wildcard, by an RE2 expression. Written once
 * here so that the translator sends Envoy the expression validation checked.
 */
public final class Origins {
  private Origins() {}

  /**
   * {@code *} → any origin; {@code *.example.com} → its sub-domains over http(s); {@code
   * https://*.example.com} → its sub-domains over that scheme; empty for an exact origin. Host
   * names are validated to letters, digits, '.' and '-', so escaping dots is enough.
   */
  public static Optional<String> regex(String origin) {
    if (origin.equals("*")) {
      return Optional.of(".*");
    }
    if (origin.startsWith("*.")) {
      return Optional.of(
          "^https?://[^/]+\\." + origin.substring(2).replace(".", "\\.") + "(:[0-9]+)?$");
    }
    if (origin.startsWith("http://*.") || origin.startsWith("https://*.")) {
      int i = origin.indexOf("*.");
      return Optional.of(
          "^"
              + origin.substring(0, i).replace(".", "\\.")
              + "[^/]+\\."
              + origin.substring(i + 2).replace(".", "\\.")
              + "$");
    }
    return Optional.empty();
  }
}
