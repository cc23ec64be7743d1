package dev.sluice.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds a real component's binary the one way every test does: the environment variable {@code
 * scripts/test} exports, then the names on PATH. A missing binary fails the test with how to
 * install it; it never skips.
 */
public final class Executables {
  private Executables() {}

  public static Path find(String envVar, List<String> names, String installHint) {
    String env = System.getenv(envVar);
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isExecutable(p)) {
        throw new AssertionError(
            envVar + "=" + env + " is not an executable file.\n" + installHint);
      }
      return p;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator, 0)) {
      for (String name : names) {
        Path p = Path.of(dir, name);
        if (!dir.isEmpty() && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new AssertionError(
        String.join(" or ", names)
            + " is not installed (nor named by "
            + envVar
            + ").\n"
            + installHint);
  }
}
