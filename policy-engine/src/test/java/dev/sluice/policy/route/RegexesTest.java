package dev.sluice.policy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Envoy's RE2 accepts and refuses. Every expression here was checked against Envoy 1.40
 * ({@code envoy --mode validate} with the expression in a route's {@code safe_regex}): the accepted
 * ones loaded, the refused ones were rejected. Envoy also refuses expressions whose compiled
 * program is larger than 100 instructions, such as {@code a{97}} (101); the sizes quoted below are
 * Envoy's.
 */
class RegexesTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "^/users/[0-9]+$", "^/a/(?<id>[0-9]+)$", "^/a/(?P<id>[0-9]+)$", "(?<user_id>a)", "^/a/[[:digit:]]+$",
      "[[:^alpha:]]", "(?i)abc", "(?i-s:a)", "(?ims)a", "(?U)a", "\\Qa.b\\E", "\\Qa(b", "\\x{41}", "\\x41", "\\0",
      "\\a", "\\f", "\\v", "\\pL", "\\p{Lu}", "\\p{Greek}", "\\P{Greek}", "\\p{^Greek}", "\\p{Old_Italic}",
      "\\b\\B\\A\\z", "[]a]", "[^]a]", "a*?b+?c??", "a{2,5}", "a{2,}", "\\++", "[+]+", "a.b\\.c", "[a-z&&[^b]]",
      "^/users/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"})
  void acceptedByRe2(String regex) {
    assertThat(Regexes.problem(regex)).isEmpty();
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("a{1001}", "the repeat count {1001} (at most 1000) is not supported by Envoy (RE2)"),
        Arguments.of("a{2,1001}", "the repeat count {2,1001} (at most 1000) is not supported by Envoy (RE2)"),
        Arguments.of("a++", "the possessive quantifier ++ is not supported by Envoy (RE2)"),
        Arguments.of("a*+", "the possessive quantifier *+ is not supported by Envoy (RE2)"),
        Arguments.of("a?+", "the possessive quantifier ?+ is not supported by Envoy (RE2)"),
        Arguments.of("a{2}+", "the possessive quantifier {2}+ is not supported by Envoy (RE2)"),
        Arguments.of("(a)++", "the possessive quantifier ++ is not supported by Envoy (RE2)"),
        Arguments.of("(a)\\1", "the back-reference \\1 is not supported by Envoy (RE2)"),
        Arguments.of("(?<x>a)\\k<x>", "the back-reference \\k is not supported by Envoy (RE2)"),
        Arguments.of("(?>a)", "the atomic group (?> is not supported by Envoy (RE2)"),
        Arguments.of("^/a(?=b)", "the look-ahead (?= is not supported by Envoy (RE2)"),
        Arguments.of("^/(?!admin).*", "the negative look-ahead (?! is not supported by Envoy (RE2)"),
        Arguments.of("(?<=a)b", "the look-behind (?<= is not supported by Envoy (RE2)"),
        Arguments.of("(?<!a)b", "the negative look-behind (?<! is not supported by Envoy (RE2)"),
        Arguments.of("(?#c)a", "the comment (?# is not supported by Envoy (RE2)"),
        Arguments.of("(?x)a", "the flag x in (?x is not supported by Envoy (RE2)"),
        Arguments.of("(?id)a", "the flag d in (?id is not supported by Envoy (RE2)"),
        Arguments.of("(?u)a", "the flag u in (?u is not supported by Envoy (RE2)"),
        Arguments.of("(?P<x>a)(?P=x)", "the named back-reference (?P= is not supported by Envoy (RE2)"),
        Arguments.of("^/a\\Z", "the escape \\Z is not supported by Envoy (RE2)"),
        Arguments.of("\\h", "the escape \\h is not supported by Envoy (RE2)"),
        Arguments.of("[\\h]", "the escape \\h is not supported by Envoy (RE2)"),
        Arguments.of("\\H", "the escape \\H is not supported by Envoy (RE2)"),
        Arguments.of("\\V", "the escape \\V is not supported by Envoy (RE2)"),
        Arguments.of("\\Ga", "the escape \\G is not supported by Envoy (RE2)"),
        Arguments.of("\\R", "the escape \\R is not supported by Envoy (RE2)"),
        Arguments.of("\\X", "the escape \\X is not supported by Envoy (RE2)"),
        Arguments.of("a\\K", "the escape \\K is not supported by Envoy (RE2)"),
        Arguments.of("a\\E", "the escape \\E is not supported by Envoy (RE2)"),
        Arguments.of("\\e", "the escape \\e is not supported by Envoy (RE2)"),
        Arguments.of("\\cA", "the escape \\c is not supported by Envoy (RE2)"),
        Arguments.of("\\" + "u0041", "the escape \\u is not supported by Envoy (RE2)"),
        Arguments.of("\\N{LATIN SMALL LETTER A}", "the escape \\N is not supported by Envoy (RE2)"),
        Arguments.of("\\p{IsAlphabetic}", "the character class \\p{IsAlphabetic} is not supported by Envoy (RE2)"),
        Arguments.of("\\p{javaLowerCase}", "the character class \\p{javaLowerCase} is not supported by Envoy (RE2)"),
        Arguments.of("\\p{Alpha}", "the character class \\p{Alpha} is not supported by Envoy (RE2)"),
        Arguments.of("\\p{InGreek}", "the character class \\p{InGreek} is not supported by Envoy (RE2)"),
        Arguments.of("[0-9", "Unclosed character class near index 3"),
        Arguments.of("(a", "Unclosed group near index 2"),
        Arguments.of("a)", "Unmatched closing ')' near index 0"),
        Arguments.of("*a", "Dangling meta character '*' near index 0"));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refusedByRe2(String regex, String why) {
    assertThat(Regexes.problem(regex)).contains("invalid regex \"" + regex + "\": " + why);
  }

  /** Envoy 1.40 accepted these at the default program size limit of 100 (sizes 100, 100, 100). */
  @ParameterizedTest
  @ValueSource(strings = {"a{96}", "[a-z]{0,48}", "(ab){24}", "a{30}"})
  void programsUpToEnvoysLimitAreAccepted(String regex) {
    assertThat(Regexes.problem(regex)).isEmpty();
  }

  /** Envoy 1.40 refused these: "RE2 program size of N > max program size of 100". */
  static Stream<Arguments> tooBig() {
    return Stream.of(
        Arguments.of("a{97}", 101), Arguments.of("a{100}", 104), Arguments.of("a{1000}", 1004),
        Arguments.of("[a-z]{0,49}", 102), Arguments.of("(ab){25}", 104), Arguments.of("/[a-z]{0,200}/x", 407),
        Arguments.of("a".repeat(150), 154));
  }

  @ParameterizedTest
  @MethodSource("tooBig")
  void programsAboveEnvoysLimitAreRefused(String regex, int envoysSize) {
    assertThat(ProgramSize.of(regex)).isEqualTo(envoysSize);
    assertThat(Regexes.problem(regex).orElseThrow()).endsWith(": its RE2 program has at least " + envoysSize
        + " instructions, and Envoy refuses more than 100 (write fewer or smaller repeats)");
  }

  @Test
  void aRepeatCountBeyondALongIsRefusedNotThrown() {
    assertThat(Regexes.problem("a{99999999999999999999}")).contains(
        "invalid regex \"a{99999999999999999999}\": the repeat count {99999999999999999999} (at most 1000) is not supported by Envoy (RE2)");
    assertThat(Regexes.problem("a{1,99999999999999999999}")).get().asString().contains("the repeat count {1,99999999999999999999}");
    assertThat(Regexes.problem("a{0000000000000000000000002}")).isEmpty();
  }

  @Test
  void aLongExpressionIsRefusedBeforeAnyOtherWorkAndQuotedShort() {
    String huge = "(?:a)".repeat(400_000); // 2 MB: took 66 s when each group copied the rest
    String problem = Regexes.problem(huge).orElseThrow();
    assertThat(problem).isEqualTo("invalid regex \"" + huge.substring(0, 80) + "…\": it is 2000000 characters long, at most 1024 are allowed");
    assertThat(Regexes.problem("(?:a)".repeat(19))).isEmpty();
    assertThat(Regexes.problem("a".repeat(1024))).get().asString().contains("program has at least 1028");
    assertThat(Regexes.problem("a".repeat(1025))).get().asString().endsWith("it is 1025 characters long, at most 1024 are allowed");
  }
}
