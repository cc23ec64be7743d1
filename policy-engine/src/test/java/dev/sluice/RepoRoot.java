package dev.sluice;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root: the folder that holds {@code compose/} and the module folders. */
public final class RepoRoot {
  private RepoRoot() {}

  /**
   * The system property {@code sluice.repo.root} (surefire forwards Maven's multi-module project
   * directory), else the nearest folder above the working directory that has {@code compose/} and
   * {@code policy-engine/}.
   */
  public static Path find() {
    String property = System.getProperty("sluice.repo.root");
    if (property != null && !property.isBlank() && !property.startsWith("${")) {
      Path p = Path.of(property).toAbsolutePath().normalize();
      if (isRoot(p)) {
        return p;
      }
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (isRoot(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "cannot find the repository root (a folder with compose/ and policy-engine/) from "
            + Path.of("").toAbsolutePath()
            + "; set -Dsluice.repo.root");
  }

  private static boolean isRoot(Path p) {
    return Files.isDirectory(p.resolve("compose")) && Files.isDirectory(p.resolve("policy-engine"));
  }
}
