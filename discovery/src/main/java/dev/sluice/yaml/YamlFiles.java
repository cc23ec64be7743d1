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
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML files into trees that remember where each value came from.
 *
 * <p>Written by hand because Jackson's tree model drops token locations and SnakeYAML's node API
 * would give us a second YAML model to maintain; walking Jackson's streaming parser once gives both
 * the tree and a JSON-pointer → position index, which is all validation needs for file:line:column
 * errors.
 */
public final class YamlFiles {
  /**
   * Empty plain scalars ({@code to:} with nothing after it, or an empty document between two
   * {@code ---}) are null, as YAML says, not the empty string Jackson gives by default; a quoted
   * {@code ""} stays a string.
   */
  private static final YAMLFactory FACTORY =
      YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private YamlFiles() {}

  /** Reads every document of a file; empty documents are skipped. */
  public static List<YamlDocument> read(Path file) throws IOException, YamlSyntaxException {
    return parse(file, text(file, YamlLimits.DEFAULT));
  }

  /**
   * The file's text, refused before it is read when it is larger than the limit (and, should it
   * grow while read, when more than the limit comes).
   */
  public static String text(Path file, YamlLimits limits) throws IOException, YamlSyntaxException {
    long size = Files.size(file);
    if (size > limits.maxFileBytes()) {
      throw tooBig(file, size, limits);
    }
    byte[] bytes;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxFileBytes() + 1));
    }
    if (bytes.length > limits.maxFileBytes()) {
      throw tooBig(file, bytes.length, limits);
    }
    return java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
  }

  private static YamlSyntaxException tooBig(Path file, long size, YamlLimits limits) {
    return new YamlSyntaxException(file, new Position(1, 1), "the file is " + size + " bytes, more than the "
        + limits.maxFileBytes() + " a file may have (sluice.yaml.maxFileBytes): not read");
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
    } catch (Invalid e) {
      throw new YamlSyntaxException(file, e.position, "invalid YAML: " + e.getMessage());
    } catch (JsonProcessingException e) {
      // Jackson's location is that of the last good token; SnakeYAML's problem mark is where the
      // mistake is, and its message without the multi-line snippet fits the one-line format.
      if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        Mark at = m.getProblemMark();
        String context = m.getContext() == null ? ""
            : " (" + m.getContext() + (m.getContextMark() == null ? "" : " started at " + (m.getContextMark().getLine() + 1)
                + ":" + (m.getContextMark().getColumn() + 1)) + ")";
        throw new YamlSyntaxException(file, new Position(at.getLine() + 1, at.getColumn() + 1),
            "invalid YAML: " + m.getProblem() + context);
      }
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
    if (p instanceof YAMLParser y && y.isCurrentAlias()) {
      // Jackson's streaming parser does not resolve aliases: it would hand us the alias name as text.
      throw new Invalid(pos(p.currentTokenLocation()),
          "YAML aliases (*" + p.getText() + ") are not supported: write the value out in full");
    }
    switch (t) {
      case START_OBJECT -> {
        ObjectNode obj = NODES.objectNode();
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = pointer + "/" + escape(name);
          Position key = pos(p.currentTokenLocation());
          if (obj.has(name)) {
            // YAML requires unique keys; Jackson would silently keep the last value.
            throw new Invalid(key, "duplicate key '" + name + "' (first written at " + positions.get(child + "#key") + ")");
          }
          positions.put(child + "#key", key);
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

  /** A mistake found while building the tree, at a known place. */
  private static final class Invalid extends IOException {
    private final Position position;

    Invalid(Position position, String message) {
      super(message);
      this.position = position;
    }
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  private static Position pos(JsonLocation loc) {
    return new Position(Math.max(loc.getLineNr(), 0), Math.max(loc.getColumnNr(), 0));
  }
}
