package dev.sluice.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.Executables;
import dev.sluice.testing.RepoPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real docker-compose accepts compose/docker-compose.yml: {@code docker-compose -f
 * compose/docker-compose.yml config} parses, validates against the Compose schema and resolves it,
 * which needs no Docker engine. The tool comes from scripts/install-docker-compose (Debian's
 * package); a machine without it fails this test with that command, it does not skip.
 */
class ComposeFileIT {
  static final String ENV_VAR = "DOCKER_COMPOSE_BIN";
  static final String INSTALL_HINT =
      "The compose file is validated by docker-compose (no Docker engine needed). Install it with\n"
          + "    scripts/install-docker-compose\n"
          + "  (Debian's package docker-compose: sudo apt-get install docker-compose) and point the tests at it:\n"
          + "    export "
          + ENV_VAR
          + "=$(scripts/install-docker-compose)\n"
          + "(scripts/test does both).";

  private record Result(int exit, String stdout, String stderr) {}

  @Test
  void dockerComposeConfigAcceptsTheFile() throws Exception {
    Result r = compose("config");
    assertThat(r.exit())
        .as(
            "docker-compose -f %s config exited %d:%n%s",
            ComposeFile.RELATIVE, r.exit(), r.stderr())
        .isZero();
    // relative bind mounts resolved against compose/, as the tests that check them assume
    assertThat(r.stdout())
        .contains(RepoPaths.resolve("compose/policies").toString())
        .contains(RepoPaths.resolve("compose/samples/echo.py").toString())
        .contains(RepoPaths.resolve("envoy-configs/compose").toString())
        .contains(RepoPaths.resolve("compose/credentials.sh").toString())
        .contains(RepoPaths.resolve("scripts/lib/control-plane.sh").toString())
        .contains("hashicorp/consul:")
        .contains("envoyproxy/envoy:")
        // the start order of the secure wiring, as docker-compose reads it
        .contains("condition: service_completed_successfully");
  }

  @Test
  void dockerComposeListsTheQuickstartServices() throws Exception {
    Result r = compose("config", "--services");
    assertThat(r.exit()).as("docker-compose config --services:%n%s", r.stderr()).isZero();
    List<String> services =
        Arrays.stream(r.stdout().split("\\R"))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList();
    assertThat(services).containsExactlyInAnyOrderElementsOf(ComposeFile.SERVICES);
  }

  @Test
  void dockerComposeListsTheVolumes() throws Exception {
    Result r = compose("config", "--volumes");
    assertThat(r.exit()).as("docker-compose config --volumes:%n%s", r.stderr()).isZero();
    assertThat(r.stdout().strip().lines().map(String::strip).toList())
        .containsExactlyInAnyOrder(
            "sluice-ca",
            "sluice-xds-tls",
            "xds-ca",
            "proxy-tokens",
            "edge-bootstrap",
            "web-sidecar-bootstrap",
            "orders-sidecar-bootstrap",
            "users-sidecar-bootstrap");
  }

  private static Result compose(String... args) throws Exception {
    Path bin = Executables.find(ENV_VAR, List.of("docker-compose"), INSTALL_HINT);
    Path root = RepoPaths.root();
    List<String> cmd =
        new ArrayList<>(
            List.of(bin.toString(), "-f", root.resolve(ComposeFile.RELATIVE).toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("compose", ".out");
    Path err = Files.createTempFile("compose", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(root.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      // Only the file on the command line counts, whatever the caller's shell has set.
      pb.environment().keySet().removeIf(k -> k.startsWith("COMPOSE_") || k.startsWith("DOCKER_"));
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(String.join(" ", cmd) + " did not finish in 60 s");
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
