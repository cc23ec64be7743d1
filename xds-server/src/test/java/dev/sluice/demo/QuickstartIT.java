package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/quickstart.md, walked as a reader would on a machine without Docker: {@code
 * scripts/quickstart} starts Consul, Sluice, the edge, three sample services and their sidecars;
 * then every block marked {@code sh quickstart} runs in order in one shell (so a service started in
 * one step is there in the next), and its output must hold the lines of the {@code text expected}
 * block that follows it. A block marked {@code exit=N} must exit with N, any other with 0. The walk
 * registers a service in Consul through its HTTP API, adds a policy file routing to it, and curls
 * it through the edge.
 */
class QuickstartIT {
  private static final Pattern BLOCK =
      Pattern.compile("(?m)^```([^\\n]*)\\n(.*?)^```\\s*$", Pattern.DOTALL);
  private static final String MARK = "@@quickstart-block ";

  /** A runnable block, and what its output must contain. */
  record Step(String commands, int exitCode, List<String> expected) {}

  static List<Step> steps(String markdown) {
    List<Step> steps = new ArrayList<>();
    Matcher m = BLOCK.matcher(markdown);
    Step pending = null;
    while (m.find()) {
      String info = m.group(1).trim();
      String body = m.group(2);
      if (info.startsWith("sh quickstart")) {
        if (pending != null) {
          steps.add(pending);
        }
        Matcher exit = Pattern.compile("exit=(\\d+)").matcher(info);
        pending = new Step(body, exit.find() ? Integer.parseInt(exit.group(1)) : 0, List.of());
      } else if (info.equals("text expected") && pending != null) {
        steps.add(
            new Step(
                pending.commands(),
                pending.exitCode(),
                body.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()));
        pending = null;
      } else if (pending != null) {
        steps.add(pending);
        pending = null;
      }
    }
    if (pending != null) {
      steps.add(pending);
    }
    return steps;
  }

  @Test
  void theQuickstartStepsWorkAsWrittenWithoutDocker() throws Exception {
    Path root = RepoPaths.root();
    String doc = Files.readString(root.resolve("docs/quickstart.md"));
    List<Step> steps = steps(doc);
    assertThat(steps).as("runnable steps in docs/quickstart.md").hasSizeGreaterThanOrEqualTo(8);
    assertThat(doc)
        .as("the doc starts the topology the test starts")
        .contains("```sh\nscripts/quickstart\n```");
    String walk = String.join("\n", steps.stream().map(Step::commands).toList());
    assertThat(walk)
        .as("registers a service in Consul through its HTTP API")
        .contains("localhost:8500/v1/agent/service/register");
    assertThat(walk).as("adds a policy file").contains("cat > compose/policies/");

    Path policies = root.resolve("compose/policies");
    Set<Path> tracked = files(policies);
    Path log = Files.createTempFile("quickstart", ".log");
    Process quickstart =
        new ProcessBuilder("bash", root.resolve("scripts/quickstart").toString())
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      awaitUp(quickstart, log);
      StringBuilder script = new StringBuilder("set +e\n");
      for (int i = 0; i < steps.size(); i++) {
        script
            .append("echo '")
            .append(MARK)
            .append(i)
            .append("'\n")
            .append("(\n")
            .append(steps.get(i).commands())
            .append("\n)\n")
            .append("echo \"")
            .append(MARK)
            .append(i)
            .append(" exit=$?\"\n");
      }
      Path file = Files.createTempFile("quickstart-steps", ".sh");
      Files.writeString(file, script);
      Path out = Files.createTempFile("quickstart-steps", ".out");
      Process walkProcess =
          new ProcessBuilder("bash", file.toString())
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      assertThat(walkProcess.waitFor(180, TimeUnit.SECONDS)).as("the steps finish").isTrue();
      String output = Files.readString(out, StandardCharsets.UTF_8);
      for (int i = 0; i < steps.size(); i++) {
        Step step = steps.get(i);
        int from = output.indexOf(MARK + i + "\n");
        int to = output.indexOf(MARK + i + " exit=");
        assertThat(from)
            .as("step %d ran: %s%n%s", i, step.commands(), output)
            .isGreaterThanOrEqualTo(0);
        assertThat(to).as("step %d ended: %s%n%s", i, step.commands(), output).isGreaterThan(from);
        String stepOutput = output.substring(from + (MARK + i + "\n").length(), to);
        int exit =
            Integer.parseInt(
                output
                    .substring(to + (MARK + i + " exit=").length())
                    .lines()
                    .findFirst()
                    .orElseThrow()
                    .strip());
        assertThat(exit)
            .as("exit code of step %d:%n%s%noutput:%n%s", i, step.commands(), stepOutput)
            .isEqualTo(step.exitCode());
        List<String> lines = stepOutput.lines().map(String::strip).toList();
        for (String expected : step.expected()) {
          assertThat(lines).as("output of step %d:%n%s", i, step.commands()).contains(expected);
        }
      }
      assertThat(quickstart.isAlive()).as("the topology kept running through the walk").isTrue();
    } finally {
      quickstart.destroy(); // SIGTERM: the script stops everything it started
      if (!quickstart.waitFor(30, TimeUnit.SECONDS)) {
        quickstart.destroyForcibly();
      }
      // whatever a failed walk left in the tracked folder goes, so the next run starts clean
      for (Path added : files(policies)) {
        if (!tracked.contains(added)) {
          Files.deleteIfExists(added);
        }
      }
      killSample(9004);
    }
  }

  private static void awaitUp(Process quickstart, Path log) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (System.nanoTime() < end) {
      String text = Files.readString(log);
      if (text.contains("Sluice quickstart is up")) {
        return;
      }
      if (!quickstart.isAlive()) {
        throw new AssertionError("scripts/quickstart stopped:\n" + text);
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "scripts/quickstart was not up within 240 s:\n" + Files.readString(log));
  }

  private static Set<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.collect(Collectors.toSet());
    }
  }

  /** The walk starts the payments sample in the background; make sure it is gone. */
  private static void killSample(int port) throws Exception {
    new ProcessBuilder("pkill", "-f", "echo.py --name payments --port " + port)
        .start()
        .waitFor(5, TimeUnit.SECONDS);
  }
}
