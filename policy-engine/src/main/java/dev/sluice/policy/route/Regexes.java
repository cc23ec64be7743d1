package dev.sluice.policy.route;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a regular expression before Envoy's RE2 sees it. Java's engine accepts more than RE2, so
 * the constructs RE2 lacks (look-around, back-references, possessive quantifiers, atomic groups)
 * are refused explicitly; otherwise Envoy would NACK the route.
 */
final class Regexes {
  private static final Pattern UNSUPPORTED =
      Pattern.compile("\\(\\?[=!<>]|\\(\\?<[=!]|\\\\[1-9]|\\\\k<|[*+?}]\\+");

  private Regexes() {}

  /** Returns the problem, or empty when the expression is valid RE2. */
  static Optional<String> problem(String regex) {
    if (UNSUPPORTED.matcher(regex).find()) {
      return Optional.of("invalid regex \"" + regex + "\": look-around, back-references, atomic groups and possessive quantifiers are not supported by Envoy (RE2)");
    }
    try {
      Pattern.compile(regex);
      return Optional.empty();
    } catch (PatternSyntaxException e) {
      return Optional.of("invalid regex \"" + regex + "\": " + e.getDescription() + " near index " + e.getIndex());
    }
  }
}
