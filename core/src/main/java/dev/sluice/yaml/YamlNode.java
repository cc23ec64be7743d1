package dev.sluice.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A value inside a {@link YamlDocument} together with its field path ({@code to[1].weight}) and its
 * position. Absent fields are represented by a missing node positioned at the nearest parent, so
 * "missing field" errors still point somewhere useful.
 */
public final class YamlNode {
  private final YamlDocument doc;
  private final String pointer;
  private final String path;
  private final JsonNode value;

  YamlNode(YamlDocument doc, String pointer, String path, JsonNode value) {
    this.doc = doc;
    this.pointer = pointer;
    this.path = path;
    this.value = value;
  }

  public JsonNode value() {
    return value;
  }

  /** The field path shown to users, such as {@code match.headers.x-user}; empty for the root. */
  public String path() {
    return path;
  }

  public Path file() {
    return doc.file();
  }

  public Position position() {
    return doc.positionOf(pointer);
  }

  /** Where the key of this field is written; for list elements and the root, the value itself. */
  public Position keyPosition() {
    return doc.keyPositionOf(pointer);
  }

  public boolean isMissing() {
    return value.isMissingNode();
  }

  /** Missing or explicit {@code null}: both mean "not given" to validators. */
  public boolean isAbsent() {
    return value.isMissingNode() || value.isNull();
  }

  public boolean isObject() {
    return value.isObject();
  }

  public boolean isArray() {
    return value.isArray();
  }

  public boolean isScalar() {
    return value.isValueNode();
  }

  public YamlNode get(String field) {
    String childPointer = pointer + "/" + field.replace("~", "~0").replace("/", "~1");
    String childPath = path.isEmpty() ? field : path + "." + field;
    JsonNode child = value.isObject() ? value.get(field) : null;
    if (child == null) {
      return new YamlNode(doc, pointer, childPath, MissingNode.getInstance());
    }
    return new YamlNode(doc, childPointer, childPath, child);
  }

  public List<YamlNode> elements() {
    List<YamlNode> out = new ArrayList<>();
    if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        out.add(new YamlNode(doc, pointer + "/" + i, path + "[" + i + "]", value.get(i)));
      }
    }
    return out;
  }

  /** The fields of an object in the order they are written. */
  public Map<String, YamlNode> fields() {
    Map<String, YamlNode> out = new LinkedHashMap<>();
    if (value.isObject()) {
      for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        out.put(name, get(name));
      }
    }
    return out;
  }

  /** A short description of the YAML type, for "expected X, got Y" messages. */
  public String typeName() {
    if (value.isMissingNode() || value.isNull()) {
      return "nothing";
    }
    if (value.isObject()) {
      return "a map";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isTextual()) {
      return "a string";
    }
    if (value.isBoolean()) {
      return "a boolean";
    }
    if (value.isNumber()) {
      return "a number";
    }
    return value.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
