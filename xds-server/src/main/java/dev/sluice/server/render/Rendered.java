package dev.sluice.server.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.xds.XdsYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The xDS resources of one proxy group as {@code sluice render} prints them and {@code
 * /config/<group>} serves them: one YAML section per type ({@link XdsType} order, every type
 * present, {@code []} when empty), resources sorted by name, in Envoy's config_dump form (proto
 * field names), private keys redacted. The same input always gives the same text.
 *
 * <pre>
 * listeners:
 * - name: http-8080
 *   ...
 * routes: [...]
 * clusters: [...]
 * endpoints: [...]
 * secrets: []
 * </pre>
 *
 * @param group the proxy group (gateway name)
 * @param resources every type, each list sorted by name
 */
public record Rendered(String group, Map<XdsType, List<Resource>> resources) {
  private static final ObjectMapper YAML = XdsYaml.mapper();

  /**
   * One resource: its name and its config_dump form. {@link #json()} is a copy; change it freely.
   */
  public record Resource(String name, JsonNode json) {
    public Resource {
      json = json.deepCopy();
    }

    @Override
    public JsonNode json() {
      return json.deepCopy();
    }

    /** The resource alone, as a YAML document. */
    public String yaml() {
      return write(json);
    }
  }

  public Rendered {
    Map<XdsType, List<Resource>> all = new EnumMap<>(XdsType.class);
    for (XdsType t : XdsType.values()) {
      List<Resource> list = new ArrayList<>(resources.getOrDefault(t, List.of()));
      list.sort(Comparator.comparing(Resource::name));
      all.put(t, List.copyOf(list));
    }
    resources = Collections.unmodifiableMap(all);
  }

  public List<Resource> of(XdsType type) {
    return resources.get(type);
  }

  public Optional<Resource> resource(XdsType type, String name) {
    return resources.get(type).stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /**
   * Every type, as one YAML document (the format of {@code render --proxy} and {@code
   * /config/<group>}).
   */
  public String yaml() {
    ObjectNode root = YAML.createObjectNode();
    for (XdsType t : XdsType.values()) {
      root.set(t.key(), list(t));
    }
    return write(root);
  }

  /** One type, as a YAML list: the same text as the golden files ({@code routes.yaml}, …). */
  public String yaml(XdsType type) {
    return write(list(type));
  }

  private ArrayNode list(XdsType type) {
    ArrayNode list = YAML.createArrayNode();
    resources.get(type).forEach(r -> list.add(r.json));
    return list;
  }

  /**
   * Reads the text of {@link #yaml()} back, e.g. from a server's {@code /config/<group>}. A missing
   * section is an empty one; sections of unknown types are ignored.
   *
   * @throws IllegalArgumentException when the text is not such a document
   */
  public static Rendered parse(String group, String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException("not YAML: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return new Rendered(group, Map.of());
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(
          "expected a map of " + String.join(", ", XdsType.keys()) + ", got " + root.getNodeType());
    }
    Map<XdsType, List<Resource>> resources = new EnumMap<>(XdsType.class);
    for (XdsType t : XdsType.values()) {
      JsonNode section = root.path(t.key());
      if (section.isMissingNode() || section.isNull()) {
        continue;
      }
      if (!section.isArray()) {
        throw new IllegalArgumentException(
            t.key() + ": expected a list, got " + section.getNodeType());
      }
      List<Resource> list = new ArrayList<>();
      for (JsonNode r : section) {
        if (!r.isObject() || !r.path(t.nameField()).isTextual()) {
          throw new IllegalArgumentException(t.key() + ": every resource needs a " + t.nameField());
        }
        list.add(new Resource(r.get(t.nameField()).asText(), r));
      }
      resources.put(t, list);
    }
    return new Rendered(group, resources);
  }

  static String write(JsonNode node) {
    try {
      return YAML.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
