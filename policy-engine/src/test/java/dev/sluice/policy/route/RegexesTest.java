package dev.sluice.policy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Envoy's RE2 accepts and refuses, and in which words. Every expression and message here was
 * checked against Envoy 1.40 ({@code envoy --mode validate} with the expression in a route's {@code
 * safe_regex}); RegexParityIT checks hundreds more on every build.
 */
class RegexesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "^/users/[0-9]+$",
        "^/a/(?<id>[0-9]+)$",
        "^/a/(?P<id>[0-9]+)$",
        "(?<user_id>a)",
        "^/a/[[:digit:]]+$",
        "[[:^alpha:]]",
        "(?i)abc",
        "(?i-s:a)",
        "(?ims)a",
        "(?U)a",
        "\\Qa.b\\E",
        "\\Qa(b",
        "\\x{41}",
        "\\x41",
        "\\0",
        "\\a",
        "\\f",
        "\\v",
        "\\p{Ogham}",
        "\\p{Greek}",
        "\\P{Greek}",
        "\\p{^Greek}",
        "\\p{Old_Italic}",
        "\\b\\B\\A\\z",
        "[]a]",
        "[^]a]",
        "a*?b+?c??",
        "a{2,5}",
        "a{2,}",
        "\\++",
        "[+]+",
        "a.b\\.c",
        "[a-z&&[^b]]",
        "^/users/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        // RE2 reads these differently from Java, and accepts them:
        "\\12",
        "(?P<n>a)(?P<n>b)",
        "a{,3}",
        "a{99999999999999999999}",
        "\\C"
      })
  void acceptedByRe2(String regex) {
    assertThat(Regexes.problem(regex)).isEmpty();
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("a{1001}", 2, "invalid repetition size: {1001}"),
        Arguments.of("a{2,1001}", 2, "invalid repetition size: {2,1001}"),
        Arguments.of("(a{100}){11}", 9, "invalid repetition size: {11}"),
        Arguments.of("a++", 2, "bad repetition operator: ++"),
        Arguments.of("a*+", 2, "bad repetition operator: *+"),
        Arguments.of("a{2}+", 2, "bad repetition operator: {2}+"),
        Arguments.of("x{2}{3}", 2, "bad repetition operator: {2}{3}"),
        Arguments.of("(a)\\1", 4, "invalid escape sequence: \\1"),
        Arguments.of("(?<x>a)\\k<x>", 8, "invalid escape sequence: \\k"),
        Arguments.of("(?>a)", 1, "invalid perl operator: (?>"),
        Arguments.of("^/a(?=b)", 4, "invalid perl operator: (?="),
        Arguments.of("^/(?!admin).*", 3, "invalid perl operator: (?!"),
        Arguments.of("(?<=a)b", 1, "invalid perl operator: (?<="),
        Arguments.of("(?#c)a", 1, "invalid perl operator: (?#"),
        Arguments.of("(?x)a", 1, "invalid perl operator: (?x"),
        Arguments.of("(?P<x>a)(?P=x)", 9, "invalid perl operator: (?P"),
        Arguments.of("(?P<1-x>a)", 1, "invalid named capture group: (?P<1-x>"),
        Arguments.of("^/a\\Z", 4, "invalid escape sequence: \\Z"),
        Arguments.of("[\\h]", 2, "invalid escape sequence: \\h"),
        Arguments.of("\\" + "u0041", 1, "invalid escape sequence: \\u"),
        Arguments.of("\\p{IsAlphabetic}", 1, "invalid character class range: \\p{IsAlphabetic}"),
        Arguments.of("[[:foo:]]", 2, "invalid character class range: [:foo:]"),
        Arguments.of("[z-a]", 2, "invalid character class range: z-a"),
        Arguments.of("^/users/[0-9+$", 9, "missing ]: [0-9+$"),
        Arguments.of("^(yes|true", 1, "missing ): ^(yes|true"),
        Arguments.of("a)", 1, "unexpected ): a)"),
        Arguments.of("*a", 1, "no argument for repetition operator: *"),
        Arguments.of("a\\", 2, "trailing \\"),
        Arguments.of("é\\x{", 2, "invalid UTF-8"),
        Arguments.of("\\x{100}", 1, "invalid escape sequence: \\x{100"),
        Arguments.of("(?P<é>a)", 1, "invalid named capture group: (?P<é>"));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refusedInRe2sWordsAtAOneBasedColumn(String regex, int column, String re2Says) {
    assertThat(Regexes.problem(regex))
        .contains("invalid regex \"" + regex + "\" at column " + column + ": " + re2Says);
  }

  @Test
  void aUuidClassRepeated36TimesIsRefusedWithEnvoysProgramSize() {
    // Envoy 1.40: "regex '[0-9a-f-]{36}' RE2 program size of 112 > max program size of 100"
    assertThat(Regexes.problem("[0-9a-f-]{36}"))
        .contains(
            "invalid regex \"[0-9a-f-]{36}\": RE2 program size of 112"
                + " > max program size of 100, which Envoy refuses (write fewer or smaller repeats, or smaller classes)");
  }

  /** Envoy 1.40 accepted these at the default program size limit of 100. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "a{96}",
        "[a-z]{0,48}",
        "(ab){24}",
        "a{30}",
        "[0-9a-f-]{32}",
        "^/users/[0-9a-f-]{32}$"
      })
  void programsUpToEnvoysLimitAreAccepted(String regex) {
    assertThat(Regexes.problem(regex)).isEmpty();
  }

  /** Envoy 1.40 refused these with "RE2 program size of N > max program size of 100". */
  static Stream<Arguments> tooBig() {
    return Stream.of(
        Arguments.of("a{97}", 101),
        Arguments.of("a{100}", 104),
        Arguments.of("a{1000}", 1004),
        Arguments.of("[a-z]{0,49}", 102),
        Arguments.of("(ab){25}", 104),
        Arguments.of("/[a-z]{0,200}/x", 407),
        Arguments.of("a".repeat(150), 154),
        Arguments.of("[0-9a-f-]{33}", 103),
        Arguments.of("(?:é){49}", 102),
        Arguments.of("[0-9]{0,100}", 204),
        Arguments.of("^/users/[0-9a-f-]{36}$", 112));
  }

  @ParameterizedTest
  @MethodSource("tooBig")
  void programsAboveEnvoysLimitAreRefusedWithEnvoysSize(String regex, int envoysSize) {
    assertThat(Regexes.programSize(regex)).isEqualTo(envoysSize);
    assertThat(Regexes.problem(regex).orElseThrow())
        .contains(": RE2 program size of " + envoysSize + " > max program size of 100");
  }

  /**
   * Envoy 1.40's RE2 compiles 698,996 instructions at most, before it counts the program's size.
   */
  @Test
  void aProgramBeyondRe2sMemoryBudgetIsRefusedInRe2sWords() {
    // \\pL is 7 byte ranges in Latin-1: 13 instructions before flattening, 7 after
    assertThat(Regexes.programSize("(?:" + "\\pL".repeat(53) + "){1000}")).isEqualTo(371_004);
    assertThat(Regexes.problem("(?:" + "\\pL".repeat(54) + "){1000}"))
        .get()
        .asString()
        .endsWith(": pattern too large - compile failed");
  }

  /** Envoy runs RE2 in Latin-1: a character beyond ASCII is two, each one byte of its UTF-8. */
  @Test
  void envoyReadsTheExpressionAsLatin1() {
    assertThat(Regexes.programSize("é")).isEqualTo(Regexes.programSize("ab"));
    assertThat(Regexes.programSize("\\pL")).isEqualTo(11);
    assertThat(Regexes.programSize("(?i)k")).isEqualTo(Regexes.programSize("(?i)a"));
  }

  @Test
  void aLongExpressionIsRefusedBeforeAnyOtherWorkAndQuotedShort() {
    String huge = "(?:a)".repeat(400_000);
    String problem = Regexes.problem(huge).orElseThrow();
    assertThat(problem)
        .isEqualTo(
            "invalid regex \""
                + huge.substring(0, 80)
                + "…\": it is 2000000 characters long, at most 1024 are allowed");
    assertThat(Regexes.problem("(?:a)".repeat(19))).isEmpty();
    assertThat(Regexes.problem("a".repeat(1024))).get().asString().contains("program size of 1028");
    assertThat(Regexes.problem("a".repeat(1025)))
        .get()
        .asString()
        .endsWith("it is 1025 characters long, at most 1024 are allowed");
  }
}
