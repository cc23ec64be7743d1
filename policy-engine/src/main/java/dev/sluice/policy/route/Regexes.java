package dev.sluice.policy.route;

import java.util.Optional;

/**
 * Checks a regular expression the way Envoy's RE2 will, so that Envoy never NACKs a route for its
 * regex: the expression is parsed by a port of RE2's own parser (same syntax, same refusals, in
 * RE2's words) and compiled to count the program RE2 would build, which Envoy refuses above {@link
 * #MAX_PROGRAM_SIZE} instructions. What this accepts Envoy accepts, and the other way round.
 */
public final class Regexes {
  /**
   * The longest expression checked (docs/policies.md, Limits): longer ones are refused before any
   * other work. Envoy would refuse them anyway: every literal character is an instruction of the
   * RE2 program, and Envoy refuses programs above {@link #MAX_PROGRAM_SIZE}.
   */
  public static final int MAX_LENGTH = 1024;

  /**
   * Envoy's default {@code re2.max_program_size.error_level}: it refuses (NACKs) a route whose
   * regex compiles to a larger RE2 program.
   */
  public static final int MAX_PROGRAM_SIZE = 100;

  /** How much of a refused expression its message quotes. */
  private static final int QUOTED = 80;

  private Regexes() {}

  /** Returns the problem, or empty when Envoy accepts the expression. */
  public static Optional<String> problem(String regex) {
    if (regex.length() > MAX_LENGTH) {
      return Optional.of(
          "invalid regex "
              + quote(regex)
              + ": it is "
              + regex.length()
              + " characters long, at most "
              + MAX_LENGTH
              + " are allowed");
    }
    if (regex.isEmpty()) {
      return Optional.of(
          "invalid regex \"\": it is empty, and Envoy requires at least 1 character");
    }
    Re2Node parsed;
    try {
      parsed = Re2Parser.parse(regex);
    } catch (Re2Parser.Re2Error e) {
      return Optional.of(
          "invalid regex " + quote(regex) + " at column " + e.column + ": " + e.text);
    }
    try {
      int size = Re2Program.size(parsed);
      if (size > MAX_PROGRAM_SIZE) {
        return Optional.of(
            "invalid regex "
                + quote(regex)
                + ": RE2 program size of "
                + size
                + " > max program size of "
                + MAX_PROGRAM_SIZE
                + ", which Envoy refuses (write fewer or smaller repeats, or smaller classes)");
      }
    } catch (Re2Program.TooLarge e) {
      return Optional.of("invalid regex " + quote(regex) + ": " + e.getMessage());
    }
    return Optional.empty();
  }

  /**
   * The program size Envoy compares with its limit, for the parity check; -1 when RE2 refuses the
   * expression.
   */
  static int programSize(String regex) {
    try {
      return Re2Program.size(Re2Parser.parse(regex));
    } catch (Re2Parser.Re2Error | Re2Program.TooLarge e) {
      return -1;
    }
  }

  private static String quote(String regex) {
    return "\"" + (regex.length() <= QUOTED ? regex : regex.substring(0, QUOTED) + "…") + "\"";
  }
}
