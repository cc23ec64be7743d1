package dev.sluice.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;

/**
 * One YAML document of a file, as a Jackson tree plus the position of every node in it, keyed by
 * JSON pointer. Keys are recorded at the key itself so that "unknown field" points at the key.
 */
public record YamlDocument(
    Path file, int index, Position start, JsonNode root, Map<String, Position> positions) {

  public YamlNode node() {
    return new YamlNode(this, "", "", root);
  }

  Position positionOf(String pointer) {
    Position p = positions.get(pointer);
    return p == null ? start : p;
  }

  Position keyPositionOf(String pointer) {
    Position p = positions.get(pointer + "#key");
    return p == null ? positionOf(pointer) : p;
  }
}
