package dev.sluice.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML files into trees that remember where each value came from.
 *
 * <p>Written by hand because Jackson's tree model drops token locations and SnakeYAML's node API
 * would give us a second YAML model to maintain; walking Jackson's streaming parser once gives both
 * the tree and a JSON-pointer → position index, which is all validation needs for file:line:column
 * errors.
 */
public final class YamlFiles {
  private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private YamlFiles() {}

  /** Reads every document of a file; empty documents are skipped. */
  public static List<YamlDocument> read(Path file) throws IOException, YamlSyntaxException {
    return parse(file, Files.readString(file));
  }

  public static List<YamlDocument> parse(Path file, String content) throws YamlSyntaxException {
    List<YamlDocument> docs = new ArrayList<>();
    try (JsonParser p = FACTORY.createParser(content)) {
      int index = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        Map<String, Position> positions = new HashMap<>();
        Position start = pos(p.currentTokenLocation());
        JsonNode root = readValue(p, t, "", positions);
        if (!root.isNull()) {
          docs.add(new YamlDocument(file, index, start, root, Map.copyOf(positions)));
        }
        index++;
      }
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      throw new YamlSyntaxException(file, loc == null ? Position.UNKNOWN : pos(loc), "invalid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new YamlSyntaxException(file, Position.UNKNOWN, "cannot read: " + e.getMessage());
    }
    return docs;
  }

  private static JsonNode readValue(JsonParser p, JsonToken t, String pointer, Map<String, Position> positions)
      throws IOException {
    positions.put(pointer, pos(p.currentTokenLocation()));
    switch (t) {
      case START_OBJECT -> {
        ObjectNode obj = NODES.objectNode();
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = pointer + "/" + escape(name);
          positions.put(child + "#key", pos(p.currentTokenLocation()));
          JsonToken vt = p.nextToken();
          obj.set(name, readValue(p, vt, child, positions));
        }
        return obj;
      }
      case START_ARRAY -> {
        ArrayNode arr = NODES.arrayNode();
        int i = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          arr.add(readValue(p, t, pointer + "/" + i, positions));
          i++;
        }
        return arr;
      }
      case VALUE_STRING -> {
        return NODES.textNode(p.getText());
      }
      case VALUE_NUMBER_INT -> {
        return NODES.numberNode(p.getBigIntegerValue());
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(p.getDecimalValue());
      }
      case VALUE_TRUE -> {
        return NODES.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return NODES.booleanNode(false);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default -> throw new IOException("unexpected YAML token " + t);
    }
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  private static Position pos(JsonLocation loc) {
    return new Position(Math.max(loc.getLineNr(), 0), Math.max(loc.getColumnNr(), 0));
  }
}
