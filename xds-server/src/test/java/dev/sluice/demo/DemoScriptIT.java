package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's demo command works: {@code scripts/demo --check} starts the two sample services,
 * Sluice on compose/demo/services.yaml and compose/demo/policies, and Envoy from
 * envoy-configs/edge.yaml, sends a request through the gateway to each route, and stops everything.
 */
class DemoScriptIT {
  @Test
  void demoStartsEverythingAndCurlThroughTheGatewayReachesEachService() throws Exception {
    runDemo("--check");
  }

  @Test
  void theConsulDemoReadsTheServicesFromConsul() throws Exception {
    String out = runDemo("--consul", "--check");
    assertThat(out).contains("registered users (127.0.0.1:9001) in Consul");
  }

  private static String runDemo(String... args) throws Exception {
    Path root = RepoPaths.root();
    Path log = Files.createTempFile("demo", ".log");
    List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("scripts/demo").toString()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      p.destroy();
    }
    String out = Files.readString(log);
    assertThat(done).as("demo finished in time; output:%n%s", out).isTrue();
    assertThat(p.exitValue()).as("demo exit code; output:%n%s", out).isZero();
    assertThat(out)
        .contains("\"service\": \"users\"")
        .contains("\"service\": \"orders\"")
        .contains("check passed");
    return out;
  }
}
