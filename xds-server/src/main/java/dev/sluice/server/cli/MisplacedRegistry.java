package dev.sluice.server.cli;

import dev.sluice.yaml.Finding;
import dev.sluice.yaml.Position;
import dev.sluice.yaml.Severity;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlNode;
import dev.sluice.yaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A registry file among the policies: a document with a top-level {@code services:} and no {@code
 * kind:}. Its findings as a policy ("kind is missing") would not tell the user what happened, so
 * they become one line that does.
 */
final class MisplacedRegistry {
  static final String MESSAGE = "this looks like a registry file: pass it with --registry";

  private MisplacedRegistry() {}

  /** The findings, with those of every registry-looking file with errors replaced by one line. */
  static List<Finding> explain(List<Finding> findings) {
    Set<Path> withErrors = new LinkedHashSet<>();
    findings.stream().filter(Finding::isError).forEach(f -> withErrors.add(f.file()));
    List<Finding> out = new ArrayList<>(findings);
    for (Path file : withErrors) {
      if (file == null) {
        continue;
      }
      Optional<Position> at = servicesKey(file);
      if (at.isPresent()) {
        out.removeIf(f -> file.equals(f.file()));
        out.add(new Finding(Severity.ERROR, file, at.get(), "", "", MESSAGE));
      }
    }
    out.sort(Finding.ORDER);
    return List.copyOf(out);
  }

  /** Where the first registry-like document's {@code services:} key is, if the file has one. */
  private static Optional<Position> servicesKey(Path file) {
    List<YamlDocument> docs;
    try {
      docs = YamlFiles.read(file);
    } catch (IOException | YamlSyntaxException | RuntimeException e) {
      // unreadable: its own findings already say why
      return Optional.empty();
    }
    for (YamlDocument doc : docs) {
      YamlNode root = doc.node();
      if (root.isObject() && root.get("kind").isAbsent() && !root.get("services").isMissing()) {
        return Optional.of(root.get("services").keyPosition());
      }
    }
    return Optional.empty();
  }
}
