package dev.sluice.policy;

import dev.sluice.yaml.Position;
import java.nio.file.Path;

/** Where a policy resource was written, so that Envoy's NACKs can be traced back to a file. */
public record Source(Path file, Position position) {
  @Override
  public String toString() {
    return file + ":" + position;
  }
}
