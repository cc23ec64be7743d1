package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RepoPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the demo and quickstart scripts print before they start anything. */
class ScriptHelpTest {
  private static final Path ROOT = RepoPaths.root();

  @ParameterizedTest
  @ValueSource(strings = {"scripts/demo", "scripts/quickstart"})
  void helpPrintsTheWholeHeaderCommentAndNoCode(String script) throws Exception {
    List<String> header =
        Files.readAllLines(ROOT.resolve(script)).stream()
            .skip(1)
            .takeWhile(l -> l.startsWith("#"))
            .map(l -> l.replaceFirst("^# ?", ""))
            .toList();
    Process p =
        new ProcessBuilder("bash", ROOT.resolve(script).toString(), "--help")
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // a bound against a hung script, not a timing assertion: --help starts nothing
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(out.lines().toList()).isEqualTo(header).doesNotContain("set -euo pipefail");
  }

  /**
   * The banner's Consul example adds a users instance that is really users: its own process on a
   * port nothing else of the demo listens on, so {@code /users} never answers from orders.
   */
  @Test
  void theDemoBannersConsulExampleStartsItsOwnUsersInstance() throws Exception {
    String script = Files.readString(ROOT.resolve("scripts/demo"));
    Matcher ports = Pattern.compile("(?m)^PORTS=\"([0-9 ]+)\"").matcher(script);
    assertThat(ports.find()).as("the demo's PORTS line").isTrue();
    List<String> demoPorts = Arrays.asList(ports.group(1).split(" "));
    Matcher example =
        Pattern.compile(
                "echo\\.py --name users --port ([0-9]+) --consul http://127\\.0\\.0\\.1:8500")
            .matcher(script);
    assertThat(example.find()).as("a Consul example that starts a users instance").isTrue();
    assertThat(demoPorts).doesNotContain(example.group(1));
  }
}
