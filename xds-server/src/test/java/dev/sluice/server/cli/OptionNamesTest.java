package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command shows one name per option, and an option two commands share has one name and one
 * description in both.
 */
class OptionNamesTest {
  /** picocli's own -h/--help and -V/--version. */
  private static final Set<String> STANDARD = Set.of("--help", "--version");

  /** The hidden names: each is a short name of a shown option of the same command. */
  private static final Set<String> HIDDEN =
      Set.of(
          "--address",
          "--port",
          "--store-timeout",
          "--failure-mode",
          "--max-counters",
          "--max-counter-bytes");

  @Test
  void everyShownOptionHasOneName() {
    List<String> several = new ArrayList<>();
    for (CommandSpec command : commands()) {
      for (OptionSpec option : command.options()) {
        if (!option.hidden() && !STANDARD.contains(option.longestName())) {
          if (option.names().length != 1) {
            several.add(command.name() + " " + String.join(", ", option.names()));
          }
        }
      }
    }
    assertThat(several).isEmpty();
  }

  @Test
  void theHiddenNamesAreTheShortNamesOnly() {
    List<String> hidden = new ArrayList<>();
    for (CommandSpec command : commands()) {
      for (OptionSpec option : command.options()) {
        if (option.hidden()) {
          hidden.add(option.longestName());
          assertThat(HIDDEN).as(command.name()).contains(option.longestName());
        }
      }
    }
    assertThat(hidden).containsAll(HIDDEN);
  }

  @Test
  void anOptionTwoCommandsShareReadsTheSameInBoth() {
    for (String shared : List.of("--policies", "--redis", "--ratelimit-max-counter-bytes")) {
      assertThat(descriptions(shared, "serve", "ratelimit")).as(shared).hasSize(1);
    }
    assertThat(descriptions("--policies", "serve", "ratelimit", "render")).hasSize(1);
    assertThat(descriptions("--registry", "render", "validate")).hasSize(1);
  }

  private static Set<String> descriptions(String option, String... commands) {
    CommandLine cli = new CommandLine(new SluiceCli());
    Set<String> descriptions = new HashSet<>();
    for (String c : commands) {
      OptionSpec spec = cli.getSubcommands().get(c).getCommandSpec().findOption(option);
      descriptions.add(String.join("\n", spec.description()) + " " + spec.paramLabel());
    }
    return descriptions;
  }

  private static List<CommandSpec> commands() {
    return new CommandLine(new SluiceCli())
        .getSubcommands().values().stream().map(CommandLine::getCommandSpec).toList();
  }
}
