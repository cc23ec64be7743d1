package dev.sluice.policy;

import dev.sluice.policy.route.RouteSpec;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlLimits;
import dev.sluice.yaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed documents of each policy file, kept from one load to the next by content, and what
 * each document reads as on its own: a change to one file of many parses and reads that file alone,
 * because parsing and reading thousands of routes on every change would cost more than the rest of
 * a rebuild. Files are still read each time, so a change is never missed for an unchanged
 * modification time. Files that failed to parse are not kept, and neither are the reads of
 * documents that point at other files (certificates, keys, descriptor sets): those files may have
 * changed.
 *
 * <p>Not thread-safe: one per policy folder, used by its loads in turn.
 */
public final class ParsedFiles implements PolicyLoader.Reads {
  private record Parsed(String content, List<YamlDocument> documents) {}

  private Map<Path, Parsed> files = new HashMap<>();
  private Map<Path, Parsed> next = new HashMap<>();

  /** By document identity: a kept file gives back the same document objects. */
  private IdentityHashMap<YamlDocument, PolicyLoader.DocumentRead> reads = new IdentityHashMap<>();

  private IdentityHashMap<YamlDocument, PolicyLoader.DocumentRead> nextReads =
      new IdentityHashMap<>();

  /** Route as read → the same route attached to the only gateway, by identity. */
  private IdentityHashMap<RouteSpec, RouteSpec> attached = new IdentityHashMap<>();

  private IdentityHashMap<RouteSpec, RouteSpec> nextAttached = new IdentityHashMap<>();

  /** The file's documents, parsed again only if its content changed since the last load. */
  List<YamlDocument> read(Path file) throws IOException, YamlSyntaxException {
    String content = YamlFiles.text(file, YamlLimits.DEFAULT);
    Parsed kept = files.get(file);
    Parsed parsed =
        kept != null && kept.content().equals(content)
            ? kept
            : new Parsed(content, YamlFiles.parse(file, content));
    next.put(file, parsed);
    return parsed.documents();
  }

  /**
   * What the document reads as, read again only if its file changed or it points at other files.
   */
  @Override
  public PolicyLoader.DocumentRead read(YamlDocument doc) {
    PolicyLoader.DocumentRead read = reads.get(doc);
    if (read == null) {
      read = PolicyLoader.read(doc);
    }
    if (read.referencedFiles().isEmpty()) {
      nextReads.put(doc, read);
    }
    return read;
  }

  /** The same attached route as last time for a route read from a kept document. */
  @Override
  public RouteSpec attach(RouteSpec route, String gateway) {
    RouteSpec attached = this.attached.get(route);
    if (attached == null || !attached.gateway().equals(gateway)) {
      attached = route.withGateway(gateway);
    }
    nextAttached.put(route, attached);
    return attached;
  }

  /** Ends a load: files and documents it did not read (removed ones) are forgotten. */
  void loaded() {
    attached = nextAttached;
    nextAttached = new IdentityHashMap<>();
    files = next;
    next = new HashMap<>();
    reads = nextReads;
    nextReads = new IdentityHashMap<>();
  }
}
