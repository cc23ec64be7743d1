package dev.sluice.envoyconfigs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.auth.ControlPlaneTls;
import dev.sluice.server.mesh.CertificateAuthority;
import dev.sluice.testing.EnvoyBinary;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every bootstrap in envoy-configs/ and its subfolders (compose/: the docker-compose variants)
 * passes the real {@code envoy --mode validate}.
 *
 * <p>The compose bootstraps find Sluice by the DNS name {@code sluice}, which resolves only inside
 * the compose network. Validate mode needs no answer: it builds the clusters, may send one lookup
 * that nobody waits for, and reports OK without one (checked in a network namespace with no network
 * at all). A STATIC cluster with a host name, by contrast, fails validation.
 */
class EnvoyConfigsValidateIT {
  @TestFactory
  Stream<DynamicTest> everyBootstrapValidates() throws IOException {
    Path dir = RepoPaths.resolve("envoy-configs");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files)
        .as("bootstraps in %s, the compose ones too", dir)
        .contains(
            dir.resolve("edge.yaml"),
            dir.resolve("sidecar.yaml"),
            dir.resolve("compose/edge.yaml"));
    Path envoy = EnvoyBinary.find();
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(dir.relativize(f).toString(), () -> validate(envoy, f)));
  }

  /**
   * Validate mode reads the CA bundle the bootstrap verifies Sluice against, so the check runs on a
   * copy whose {@code /etc/sluice/xds/ca.pem} is a real control-plane CA made for it.
   */
  private static void validate(Path envoy, Path original) throws Exception {
    Path out = Files.createTempFile("envoy-validate-", ".out");
    Path dir = Files.createTempDirectory("envoy-validate-ca");
    CertificateAuthority.loadOrCreate(dir, ControlPlaneTls.TRUST_DOMAIN, Clock.systemUTC());
    Path file = dir.resolve(original.getFileName());
    Files.writeString(
        file,
        Files.readString(original)
            .replace("/etc/sluice/xds/ca.pem", dir.resolve("ca.pem").toString()));
    try {
      Process p =
          new ProcessBuilder(
                  envoy.toString(),
                  "--mode",
                  "validate",
                  "-c",
                  file.toString(),
                  "--log-level",
                  "warn")
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("envoy --mode validate -c " + file + " did not finish in 60 s");
      }
      String output = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
      assertThat(p.exitValue())
          .as("envoy --mode validate -c %s exited %d; output:%n%s", file, p.exitValue(), output)
          .isZero();
      assertThat(output).contains("OK");
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
