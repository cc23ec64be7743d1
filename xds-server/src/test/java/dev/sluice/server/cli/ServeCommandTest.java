package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sluice serve}'s options: every default must parse, or the server cannot start at all. */
class ServeCommandTest {
  @Test
  void everyDefaultValueParses() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--registry", "services.yaml", "--policies", "policies");
    assertThat(serve.rateLimitPort).isEqualTo(18002);
    assertThat(serve.debounce).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void durationsTakeHours() {
    assertThat(new DurationConverter().convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(new DurationConverter().convert("250ms")).isEqualTo(Duration.ofMillis(250));
  }
}
