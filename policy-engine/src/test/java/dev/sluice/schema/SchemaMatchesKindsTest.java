package dev.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.GoldenInputs;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicyKinds;
import dev.sluice.policy.Source;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schema editors validate with is written by hand; this holds it to the kinds' own field
 * lists, at the top level and in every map their readers check, so a field added to a kind (or a
 * kind added to the registry) without the schema fails the build.
 */
class SchemaMatchesKindsTest {
  /** Stands for "any key" among a schema map's properties. */
  private static final String ANY_KEY = "*";

  @Test
  void everyKindHasADefinitionWithExactlyItsTopLevelFields() throws Exception {
    JsonNode schema;
    try (InputStream in = getClass().getResourceAsStream("/schema/sluice-policy.schema.json")) {
      schema = new ObjectMapper().readTree(in);
    }
    List<String> oneOf = new ArrayList<>();
    schema
        .path("oneOf")
        .forEach(ref -> oneOf.add(ref.path("$ref").asText().replace("#/$defs/", "")));
    assertThat(oneOf)
        .as("the kinds the schema accepts")
        .containsExactlyInAnyOrderElementsOf(PolicyKinds.names());
    for (PolicyKind<?> kind : PolicyKinds.ALL) {
      JsonNode definition = schema.path("$defs").path(kind.kind());
      TreeSet<String> properties = new TreeSet<>();
      definition.path("properties").fieldNames().forEachRemaining(properties::add);
      assertThat(properties)
          .as("the fields of %s in the schema", kind.kind())
          .isEqualTo(new TreeSet<>(kind.fields()));
      assertThat(definition.path("additionalProperties").asBoolean(true))
          .as("%s refuses unknown fields", kind.kind())
          .isFalse();
    }
  }

  /**
   * Every map a reader checks in the golden and example inputs (with the fields it allows there)
   * against the schema at the same path: the same fields, so a field added to a reader, at any
   * depth, without the schema (or the other way round) fails the build.
   */
  @Test
  void everyMapTheReadersCheckHasExactlyTheirFieldsInTheSchema() throws Exception {
    JsonNode schema;
    try (InputStream in = getClass().getResourceAsStream("/schema/sluice-policy.schema.json")) {
      schema = new ObjectMapper().readTree(in);
    }
    Map<String, Set<String>> readers = new TreeMap<>();
    for (Path in : inputs()) {
      for (YamlDocument doc : YamlFiles.read(in)) {
        YamlNode root = doc.node();
        if (!doc.root().isObject() || doc.root().has("services") || !doc.root().has("kind")) {
          continue;
        }
        Optional<PolicyKind<?>> kind = PolicyKinds.byName(root.get("kind").value().asText());
        if (kind.isEmpty()) {
          continue;
        }
        String name = root.get("kind").value().asText();
        Diagnostics shapes =
            Diagnostics.observingShapes(
                (map, fields) ->
                    readers
                        .computeIfAbsent(name + " " + generic(map.path()), k -> new TreeSet<>())
                        .addAll(fields));
        kind.get()
            .read("x", root, new Fields(shapes, name + "/x"), new Source(in, root.position()));
      }
    }
    assertThat(readers).as("maps seen in the golden inputs").hasSizeGreaterThan(20);
    List<String> mismatches = new ArrayList<>();
    readers.forEach(
        (where, fields) -> {
          String kind = where.substring(0, where.indexOf(' '));
          String path = where.substring(where.indexOf(' ') + 1);
          Set<String> inSchema = new TreeSet<>();
          properties(schema, schema.path("$defs").path(kind), segments(path), inSchema);
          // a map whose keys are the user's (headers, claims, query parameters) has no field list
          if (!inSchema.contains(ANY_KEY) && !inSchema.equals(fields)) {
            mismatches.add(where + ": readers allow " + fields + ", the schema " + inSchema);
          }
        });
    assertThat(mismatches).as("maps whose fields differ between readers and schema").isEmpty();
  }

  /** The valid golden inputs and the documented examples: between them every kind's maps. */
  private static List<Path> inputs() throws IOException {
    List<Path> inputs = new ArrayList<>();
    try (Stream<Path> cases = Files.list(GoldenInputs.GOLDEN)) {
      cases
          .filter(c -> !c.getFileName().toString().startsWith("invalid-"))
          .map(c -> c.resolve("in.yaml"))
          .filter(Files::isRegularFile)
          .sorted()
          .forEach(inputs::add);
    }
    return inputs;
  }

  /** {@code access[0].claims} → {@code access[].claims}: one row per place, not per item. */
  private static String generic(String path) {
    return path.replaceAll("\\[[0-9]+\\]", "[]");
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String part : path.isEmpty() ? new String[0] : path.split("\\.", -1)) {
      String name = part;
      while (name.endsWith("[]")) {
        name = name.substring(0, name.length() - 2);
      }
      if (!name.isEmpty()) {
        out.add(name);
      }
      for (int i = name.length(); i < part.length(); i += 2) {
        out.add("[]");
      }
    }
    return out;
  }

  /** The properties of every object the schema allows at {@code path} below {@code node}. */
  private static void properties(JsonNode root, JsonNode node, List<String> path, Set<String> out) {
    if (node.has("$ref")) {
      String ref = node.get("$ref").asText().replace("#/", "");
      JsonNode target = root;
      for (String p : ref.split("/", -1)) {
        target = target.path(p);
      }
      properties(root, target, path, out);
    }
    for (String alternatives : List.of("oneOf", "anyOf", "allOf")) {
      node.path(alternatives).forEach(a -> properties(root, a, path, out));
    }
    if (path.isEmpty()) {
      node.path("properties").fieldNames().forEachRemaining(out::add);
      JsonNode additional = node.path("additionalProperties");
      if (additional.isObject() || additional.asBoolean(false)) {
        out.add(ANY_KEY);
      }
      return;
    }
    List<String> rest = path.subList(1, path.size());
    if (path.get(0).equals("[]")) {
      properties(root, node.path("items"), rest, out);
    } else {
      JsonNode child = node.path("properties").path(path.get(0));
      if (!child.isMissingNode()) {
        properties(root, child, rest, out);
      }
      JsonNode additional = node.path("additionalProperties");
      if (additional.isObject()) {
        properties(root, additional, rest, out);
      }
    }
  }
}
