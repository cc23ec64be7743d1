package dev.sluice.policy;

import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed documents of each policy file, kept from one load to the next by content: a change
 * to one file of many parses that file alone (3,000 routes in one file took 20 ms to parse on
 * every change). Files are still read each time, so a change is never missed for an unchanged
 * modification time. Files that failed to parse are not kept.
 *
 * <p>Not thread-safe: one per policy folder, used by its loads in turn.
 */
public final class ParsedFiles {
  private record Parsed(String content, List<YamlDocument> documents) {}

  private Map<Path, Parsed> files = new HashMap<>();
  private Map<Path, Parsed> next = new HashMap<>();

  /** The file's documents, parsed again only if its content changed since the last load. */
  List<YamlDocument> read(Path file) throws IOException, YamlSyntaxException {
    String content = Files.readString(file);
    Parsed kept = files.get(file);
    Parsed parsed = kept != null && kept.content().equals(content) ? kept : new Parsed(content, YamlFiles.parse(file, content));
    next.put(file, parsed);
    return parsed.documents();
  }

  /** Ends a load: files it did not read (removed ones) are forgotten. */
  void loaded() {
    files = next;
    next = new HashMap<>();
  }
}
