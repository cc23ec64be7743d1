package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.ratelimit.RateLimitOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The rate-limit options of {@code sluice serve} and {@code sluice ratelimit} have one name each;
 * the short names {@code sluice ratelimit} also answers to set the same values and stay out of
 * help.
 */
class RateLimitOptionNamesTest {
  /** Each short name, its option's name, and a value other than the default. */
  private static final List<List<String>> COUNTER_STORE =
      List.of(
          List.of("--store-timeout", "--ratelimit-store-timeout", "250ms"),
          List.of("--failure-mode", "--ratelimit-failure-mode", "closed"),
          List.of("--max-counters", "--ratelimit-max-counters", "5000"),
          List.of("--max-counter-bytes", "--ratelimit-max-counter-bytes", "512KiB"));

  private static final Map<String, String> LISTENER =
      Map.of("--address", "--ratelimit-address", "--port", "--ratelimit-port");

  @Test
  void theShortNamesSetWhatTheirOptionsSet() {
    for (List<String> alias : COUNTER_STORE) {
      String old = alias.get(0);
      String name = alias.get(1);
      String value = alias.get(2);
      RateLimitOptions byName = rateLimit(name, value).options();
      assertThat(rateLimit(old, value).options()).as(old).isEqualTo(byName);
      assertThat(byName).as(name).isNotEqualTo(rateLimit().options());
      assertThat(serve(old, value).counterStore.options()).as("serve " + old).isEqualTo(byName);
      assertThat(serve(name, value).counterStore.options()).as("serve " + name).isEqualTo(byName);
    }
    assertThat(rateLimit("--address", "127.0.0.2").address)
        .isEqualTo(rateLimit("--ratelimit-address", "127.0.0.2").address)
        .isEqualTo("127.0.0.2");
    assertThat(rateLimit("--port", "9002").port)
        .isEqualTo(rateLimit("--ratelimit-port", "9002").port)
        .isEqualTo(9002);
  }

  @Test
  void serveAndRatelimitCountWithTheSameDefaults() {
    assertThat(rateLimit().options()).isEqualTo(RateLimitOptions.defaults());
    assertThat(serve().counterStore.options()).isEqualTo(RateLimitOptions.defaults());
  }

  /**
   * The defaults are written in the descriptions: each must be what an unset option counts with.
   */
  @Test
  void theDefaultsHelpStatesAreTheDefaults() {
    Pattern stated = Pattern.compile("[Dd]efault: ([^;.)]+)");
    CommandLine ratelimit = new CommandLine(new RateLimitCommand());
    for (List<String> alias : COUNTER_STORE) {
      String name = alias.get(1);
      String description =
          String.join(" ", ratelimit.getCommandSpec().findOption(name).description());
      Matcher m = stated.matcher(description);
      assertThat(m.find()).as(description).isTrue();
      assertThat(rateLimit(name, m.group(1)).options()).as(name).isEqualTo(rateLimit().options());
    }
    assertThat(CliRun.of("ratelimit", "--help").out())
        .contains("(default: 0.0.0.0)", "(default: 18002)");
    assertThat(rateLimit().address).isEqualTo("0.0.0.0");
    assertThat(rateLimit().port).isEqualTo(18002);
  }

  @Test
  void helpShowsOneNamePerOption() {
    String ratelimit = CliRun.of("ratelimit", "--help").out();
    String serve = CliRun.of("serve", "--help").out();
    for (List<String> alias : COUNTER_STORE) {
      assertThat(ratelimit).contains(alias.get(1)).doesNotContainPattern(word(alias.get(0)));
      assertThat(serve).contains(alias.get(1)).doesNotContainPattern(word(alias.get(0)));
    }
    LISTENER.forEach(
        (old, name) -> assertThat(ratelimit).contains(name).doesNotContainPattern(word(old)));
  }

  @Test
  void aShortNameGivesTheSameErrorAsItsOption() {
    CliRun old = CliRun.of("ratelimit", "--policies", "x", "--failure-mode", "sometimes");
    assertThat(old.exit()).isEqualTo(2);
    assertThat(old.err())
        .contains("invalid failure mode 'sometimes' (open, closed or unavailable)")
        .contains("--failure-mode");
    CliRun size = CliRun.of("ratelimit", "--policies", "x", "--max-counter-bytes", "lots");
    assertThat(size.exit()).isEqualTo(2);
    assertThat(size.err())
        .contains("invalid size 'lots' (bytes, or a number with KiB, MiB or GiB)");
  }

  /**
   * An option name on its own, not inside a longer one ({@code --port} in {@code --admin-port}).
   */
  private static Pattern word(String option) {
    return Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])");
  }

  private static RateLimitCommand rateLimit(String... args) {
    RateLimitCommand command = new RateLimitCommand();
    new CommandLine(command).parseArgs(with(List.of("--policies", "p"), args));
    return command;
  }

  private static ServeCommand serve(String... args) {
    ServeCommand command = new ServeCommand();
    new CommandLine(command)
        .parseArgs(with(List.of("--registry", "services.yaml", "--policies", "p"), args));
    return command;
  }

  private static String[] with(List<String> required, String... args) {
    List<String> all = new ArrayList<>(required);
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }
}
