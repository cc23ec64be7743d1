package dev.sluice.policy.route;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.fuzz.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Fuzzes the route regex check: for every expression {@link Regexes#problem} answers (valid, or a
 * sentence saying why not) without throwing, quickly, and allocating in proportion to its length.
 */
class RegexesFuzzTest {
  /** Seeds, under {@code RegexesFuzzTestInputs}: the regexes of the tests, one a file. */
  @DictionaryFile(resourcePath = "RegexesFuzzTest.dict")
  @FuzzTest(maxExecutions = Fuzz.SHORT_RUNS)
  void everyExpressionIsAcceptedOrRefusedWithAReason(byte[] input) throws Exception {
    Fuzz.check(RegexesFuzzTest::check, input, new Fuzz.AllocationBound(64L << 20, 1024));
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
