package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyBinary;
import dev.sluice.testing.RegexParity;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code sluice validate} says of a regex is what Envoy 1.40 does with it: the real
 * expressions of the corpus and seeded generated ones, each judged by Sluice and by {@code envoy
 * --mode validate}, agree on every one, including RE2's program-size limit (an error at 100 by
 * default) and the reason given.
 */
class RegexParityIT {
  @TempDir Path work;

  @Test
  void sluiceAndEnvoyAgreeOnEveryRegexOfTheCorpusAndTheGenerator() throws Exception {
    List<String> patterns = RegexParity.patterns(600, 17);
    assertThat(new RegexParity(EnvoyBinary.find(), work).compare(patterns)).isEmpty();
  }

  @Test
  void envoysProgramSizeLimitIsAnErrorAt100ByDefault() throws Exception {
    RegexParity parity = new RegexParity(EnvoyBinary.find(), work);
    assertThat(parity.envoyErrorOf("[0-9a-f-]{36}"))
        .get()
        .asString()
        .contains("regex '[0-9a-f-]{36}' RE2 program size of 112 > max program size of 100");
    assertThat(parity.envoyErrorOf("[0-9a-f-]{32}")).isEmpty();
  }
}
