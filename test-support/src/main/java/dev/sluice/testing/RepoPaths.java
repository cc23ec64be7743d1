package dev.sluice.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository, wherever the test JVM was started. */
public final class RepoPaths {
  public static final String PROPERTY = "sluice.repo.root";

  private RepoPaths() {}

  /**
   * The repository root: the system property {@code sluice.repo.root} (failsafe sets it from the
   * root pom), else the nearest directory at or above {@code user.dir} that holds {@code
   * envoy-configs/}.
   */
  public static Path root() {
    String prop = System.getProperty(PROPERTY);
    if (prop != null && !prop.isBlank() && !prop.startsWith("${")) {
      Path p = Path.of(prop).toAbsolutePath().normalize();
      if (Files.isDirectory(p.resolve("envoy-configs"))) {
        return p;
      }
    }
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("envoy-configs"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the repository root: "
            + PROPERTY
            + "="
            + prop
            + " and no directory at or above "
            + start
            + " contains envoy-configs/");
  }

  /** {@code root().resolve(relative)}, e.g. {@code resolve("envoy-configs/edge.yaml")}. */
  public static Path resolve(String relative) {
    return root().resolve(relative);
  }
}
