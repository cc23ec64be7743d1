package dev.sluice.policy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.fuzz.Fuzz;
import dev.sluice.fuzz.Mutator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the route regex check: for every expression {@link Regexes#problem} answers (valid, or a
 * sentence saying why not) without throwing, quickly, and allocating in proportion to its length.
 */
class RegexesFuzzTest {
  private static final List<String> TOKENS = List.of(
      "(", ")", "(?", "(?P<n>", "(?<n>", "(?P=n)", "(?=", "(?!", "(?<=", "(?#", "(?>", "(?i)", "(?-s)", "(?P", "[", "]", "[^",
      "[[:", ":]]", "\\", "\\Q", "\\E", "\\p{", "\\P", "\\p{Greek}", "\\pN", "\\x{10FFFF}", "\\k<n>", "\\1", "\\0",
      "*", "+", "?", "*+", "??", "{", "}", "{1000}", "{1001}", "{0,}", "{99999999999999999999}", "{2,1}", ",", "|", "^", "$",
      ".", "&&", "-", "(?:a)", "((((", "))))", "a{1000}{1000}");

  @Test
  void everyExpressionIsAcceptedOrRefusedWithAReason() throws Exception {
    List<byte[]> seeds = Files.readAllLines(Path.of("src/test/resources/fuzz/regexes.txt")).stream()
        .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    Fuzz.Report report = Fuzz.run("route-regex", new Mutator(seeds, TOKENS), RegexesFuzzTest::check,
        new Fuzz.AllocationBound(64L << 20, 1024));
    assertThat(report.findings()).as(report.line()).isEmpty();
  }

  static Optional<String> check(byte[] input) {
    // a regex reaches the check as YAML text: whatever the bytes, a string (bad UTF-8 as U+FFFD)
    String regex = new String(input, StandardCharsets.UTF_8);
    Optional<String> problem = Regexes.problem(regex);
    if (problem.isPresent() && problem.get().isBlank()) {
      return Optional.of("a refusal without a reason");
    }
    return Optional.empty();
  }
}
