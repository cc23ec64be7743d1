package dev.sluice.envoyconfigs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyBinary;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every bootstrap in envoy-configs/ passes the real {@code envoy --mode validate}. */
class EnvoyConfigsValidateIT {
  @TestFactory
  Stream<DynamicTest> everyBootstrapValidates() throws IOException {
    Path dir = RepoPaths.resolve("envoy-configs");
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).as("bootstraps in %s", dir).isNotEmpty();
    Path envoy = EnvoyBinary.find();
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> validate(envoy, f)));
  }

  private static void validate(Path envoy, Path file) throws Exception {
    Path out = Files.createTempFile("envoy-validate-", ".out");
    try {
      Process p = new ProcessBuilder(envoy.toString(), "--mode", "validate", "-c", file.toString(), "--log-level", "warn")
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
