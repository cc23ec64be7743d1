package dev.sluice.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every way Sluice is started ends the process on an OutOfMemoryError instead of leaving it up with
 * dead threads (a watcher or the admin thread killed, shutdown hanging): the image's ENTRYPOINT
 * (which docker compose runs, with no entrypoint of its own), and each script that runs the jar.
 */
class JvmOptionsTest {
  static final String EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError";

  /** The scripts that start {@code sluice.jar serve}. */
  private static final List<String> SCRIPTS =
      List.of("scripts/quickstart", "scripts/demo", "scripts/bench-xds-fanout");

  @Test
  void theImageExitsOnOutOfMemory() {
    List<Dockerfile.Instruction> entrypoints = Dockerfile.load().all("ENTRYPOINT");
    String entrypoint = entrypoints.get(entrypoints.size() - 1).arguments();
    assertThat(entrypoint).contains("\"" + EXIT_ON_OOM + "\"");
    assertThat(entrypoint.indexOf(EXIT_ON_OOM))
        .as("a JVM option, before -jar")
        .isLessThan(entrypoint.indexOf("\"-jar\""));
  }

  @Test
  void composeRunsTheImagesEntrypoint() throws IOException {
    String compose = Files.readString(RepoPaths.resolve("compose/docker-compose.yml"));
    Matcher sluice = Pattern.compile("(?ms)^  sluice:\\n(.*?)(?=^  [a-z])").matcher(compose);
    assertThat(sluice.find()).as("compose has a sluice service").isTrue();
    assertThat(sluice.group(1)).contains("dockerfile: Dockerfile").doesNotContain("entrypoint:");
  }

  @Test
  void everyScriptThatRunsTheJarExitsOnOutOfMemory() throws IOException {
    List<String> starts = new ArrayList<>();
    for (String script : SCRIPTS) {
      String text = Files.readString(RepoPaths.resolve(script)).replace("\\\n", " ");
      for (String line : text.split("\n")) {
        if (line.matches(".*\\bjava\\b.*-jar .*") && line.contains(" serve")) {
          starts.add(script + ": " + line.strip());
          String beforeJar = line.substring(0, line.indexOf("-jar "));
          assertThat(
                  beforeJar.contains(EXIT_ON_OOM)
                      || beforeJar.contains("${SLUICE_OPTS[@]}")
                          && text.contains("SLUICE_OPTS=(" + EXIT_ON_OOM))
              .as("%s starts the jar with %s: %s", script, EXIT_ON_OOM, line.strip())
              .isTrue();
        }
      }
    }
    assertThat(starts).as("each script starts the jar").hasSize(SCRIPTS.size());
  }
}
