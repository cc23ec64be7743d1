package dev.sluice.policy.route;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a regular expression before Envoy's RE2 sees it, so that Envoy never NACKs a route for
 * its regex. Java's engine accepts more than RE2 (look-around, back-references, possessive
 * quantifiers, atomic groups, flags such as {@code (?x)}, escapes such as {@code \Z} or {@code
 * \h}); a scan refuses those first. RE2-only syntax ({@code (?P<name>...)}) is accepted. What is
 * left is compiled by Java to catch plain syntax errors (an unclosed bracket...).
 */
public final class Regexes {
  /** RE2 rejects repeat counts above this. */
  private static final int MAX_REPEAT = 1000;
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
  private static final Pattern REPEAT = Pattern.compile("\\{(\\d+)(,(\\d*))?}");
  private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9_]+>");
  private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?P?<[A-Za-z0-9_]+>");
  private static final Pattern UNICODE_CLASS = Pattern.compile("\\\\[pP]\\{\\^?[A-Za-z_]+}");
  private static final Pattern OCTAL_ZERO = Pattern.compile("\\\\0(?![0-7])");
  /** Java's own \p{...} names, which RE2 does not know. */
  private static final Set<String> JAVA_CLASSES = Set.of(
      "Lower", "Upper", "ASCII", "Alpha", "Digit", "Alnum", "Punct", "Graph", "Print", "Blank", "Cntrl", "XDigit", "Space");
  private static final Pattern RE2_CLASS_NAME = Pattern.compile("\\^?([A-Z][a-z]?|Any|[A-Z][a-z]+(_[A-Z][a-z]+)*)");

  private Regexes() {}

  /** Returns the problem, or empty when the expression is valid RE2. */
  public static Optional<String> problem(String regex) {
    if (regex.length() > MAX_LENGTH) {
      return Optional.of("invalid regex " + quote(regex) + ": it is " + regex.length() + " characters long, at most "
          + MAX_LENGTH + " are allowed");
    }
    Optional<String> unsupported = unsupported(regex);
    if (unsupported.isPresent()) {
      return Optional.of("invalid regex " + quote(regex) + ": " + unsupported.get() + " is not supported by Envoy (RE2)");
    }
    try {
      Pattern.compile(forJava(regex));
    } catch (PatternSyntaxException e) {
      return Optional.of("invalid regex " + quote(regex) + ": " + e.getDescription() + " near index " + e.getIndex());
    }
    long size = ProgramSize.of(regex);
    if (size > MAX_PROGRAM_SIZE) {
      return Optional.of("invalid regex " + quote(regex) + ": its RE2 program has at least " + size
          + " instructions, and Envoy refuses more than " + MAX_PROGRAM_SIZE + " (write fewer or smaller repeats)");
    }
    return Optional.empty();
  }

  private static String quote(String regex) {
    return "\"" + (regex.length() <= QUOTED ? regex : regex.substring(0, QUOTED) + "…") + "\"";
  }

  /** A repeat count as written, or {@code Long.MAX_VALUE} when it has more digits than a long holds. */
  static long count(String digits) {
    String d = digits.replaceFirst("^0+(?=.)", "");
    return d.length() > 18 ? Long.MAX_VALUE : Long.parseLong(d);
  }

  /**
   * The same syntax in Java's dialect, for the syntax check only: Java has no {@code (?P<name>)}
   * nor '_' in group names (plain groups are equivalent here), names scripts {@code IsGreek} where
   * RE2 says {@code Greek} (the names were checked by the scan), and needs digits after {@code \0}.
   */
  private static String forJava(String regex) {
    String s = NAMED_GROUP.matcher(regex).replaceAll("(");
    s = UNICODE_CLASS.matcher(s).replaceAll("\\\\p{L}");
    return OCTAL_ZERO.matcher(s).replaceAll("\\\\x00");
  }

  /** The first construct that Java accepts but RE2 does not, described for the user. */
  static Optional<String> unsupported(String re) {
    boolean inClass = false;
    int classStart = -1;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\') {
        if (i + 1 >= re.length()) {
          return Optional.empty(); // a trailing backslash: Java reports it
        }
        char e = re.charAt(i + 1);
        if (e == 'Q') {
          int end = re.indexOf("\\E", i + 2);
          i = end < 0 ? re.length() : end + 1;
          continue;
        }
        if (e == 'p' || e == 'P') {
          int next = unicodeClassEnd(re, i + 2);
          String name = re.substring(i + 2, next).replaceAll("^\\{|}$", "");
          if (!RE2_CLASS_NAME.matcher(name).matches() || JAVA_CLASSES.contains(name.replace("^", ""))) {
            return Optional.of("the character class \\" + e + "{" + name + "}");
          }
          i = next - 1;
          continue;
        }
        if (e >= '1' && e <= '9') {
          return Optional.of("the back-reference \\" + e);
        }
        if (e == 'k') {
          return Optional.of("the back-reference \\k");
        }
        if (Character.isLetter(e) && "afnrtvxAbBzCdDsSwW".indexOf(e) < 0) {
          return Optional.of("the escape \\" + e);
        }
        i++;
        continue;
      }
      if (inClass) {
        if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
          int end = re.indexOf(":]", i + 2);
          i = end < 0 ? i : end + 1;
        } else if (c == ']' && i > classStart + 1 && !(i == classStart + 2 && re.charAt(classStart + 1) == '^')) {
          inClass = false;
        }
        continue;
      }
      switch (c) {
        case '[' -> {
          inClass = true;
          classStart = i;
        }
        case '(' -> {
          Optional<String> p = group(re, i);
          if (p.isPresent()) {
            return p;
          }
        }
        case '*', '+', '?' -> {
          if (i + 1 < re.length() && re.charAt(i + 1) == '+') {
            return Optional.of("the possessive quantifier " + c + "+");
          }
          if (c == '?' && i + 1 < re.length() && re.charAt(i + 1) == '?') {
            i++; // lazy ??
          }
        }
        case '{' -> {
          Matcher m = REPEAT.matcher(re).region(i, re.length());
          if (m.lookingAt()) {
            long min = count(m.group(1));
            long max = m.group(3) == null || m.group(3).isEmpty() ? min : count(m.group(3));
            if (min > MAX_REPEAT || max > MAX_REPEAT) {
              return Optional.of("the repeat count " + m.group() + " (at most " + MAX_REPEAT + ")");
            }
            if (m.end() < re.length() && re.charAt(m.end()) == '+') {
              return Optional.of("the possessive quantifier " + m.group() + "+");
            }
            i = m.end() - 1;
          }
        }
        default -> {
          // a literal or an operator both engines share
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> group(String re, int open) {
    if (!re.startsWith("(?", open)) {
      return Optional.empty();
    }
    // at most what the checks below look at: a copy of the whole rest per group was quadratic
    int restEnd = re.indexOf(')', open + 2);
    String rest = re.substring(open + 2, restEnd < 0 ? re.length() : Math.min(re.length(), restEnd + 1));
    if (rest.startsWith("=")) {
      return Optional.of("the look-ahead (?=");
    }
    if (rest.startsWith("!")) {
      return Optional.of("the negative look-ahead (?!");
    }
    if (rest.startsWith("<=")) {
      return Optional.of("the look-behind (?<=");
    }
    if (rest.startsWith("<!")) {
      return Optional.of("the negative look-behind (?<!");
    }
    if (rest.startsWith(">")) {
      return Optional.of("the atomic group (?>");
    }
    if (rest.startsWith("#")) {
      return Optional.of("the comment (?#");
    }
    if (rest.startsWith("P<") || rest.startsWith("<")) {
      return GROUP_NAME.matcher(rest.substring(rest.indexOf('<') + 1)).lookingAt()
          ? Optional.empty() : Optional.of("the group name in " + "(?" + rest.substring(0, Math.min(rest.length(), 12)));
    }
    if (rest.startsWith("P")) {
      return Optional.of("the named back-reference (?P" + (rest.length() > 1 ? rest.charAt(1) : ""));
    }
    for (int i = 0; i < rest.length(); i++) {
      char f = rest.charAt(i);
      if (f == ')' || f == ':') {
        break;
      }
      if ("imsU-".indexOf(f) < 0) {
        return Optional.of("the flag " + f + " in (?" + rest.substring(0, i + 1));
      }
    }
    return Optional.empty();
  }

  /** The index after a \p or \P class name: one letter, or a braced name. */
  private static int unicodeClassEnd(String re, int start) {
    if (start >= re.length()) {
      return start;
    }
    if (re.charAt(start) == '{') {
      int close = re.indexOf('}', start);
      return close < 0 ? re.length() : close + 1;
    }
    return start + 1;
  }
}
