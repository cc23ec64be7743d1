package dev.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.RepoPaths;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/policies.md, the reference, stays in sync with the JSON Schema editors use (which {@link
 * SchemaTest} keeps in sync with the loader): every field the schema knows is documented in its
 * kind's section, and every policy example in the reference is valid against the schema.
 */
class PoliciesDocTest {
  private static final Path ROOT = RepoPaths.root();
  private static final Path DOC = ROOT.resolve("docs/policies.md");
  private static final Pattern YAML_BLOCK = Pattern.compile("(?ms)^```yaml[^\\n]*\\n(.*?)^```");

  /**
   * Where the reference documents each kind: from its heading to the next kind's. Gateway and Route
   * share the feature sections that follow Route (tls, auth, telemetry… apply to both); the mesh
   * kinds share one section.
   */
  private static final Map<String, String[]> SECTIONS =
      Map.of(
          "Gateway", new String[] {"## Gateway", "## JwtProvider"},
          "Route", new String[] {"## Route", "## JwtProvider"},
          "JwtProvider", new String[] {"## JwtProvider", "## Consumer"},
          "Consumer", new String[] {"## Consumer", "## Precedence"},
          "Upstream", new String[] {"## Upstream", "## Mesh:"},
          "Mesh", new String[] {"## Mesh:", "## The file registry"},
          "Sidecar", new String[] {"## Mesh:", "## The file registry"},
          "ServiceAccess", new String[] {"## Mesh:", "## The file registry"});

  private static JsonNode schema() throws Exception {
    try (InputStream in =
        PoliciesDocTest.class
            .getClassLoader()
            .getResourceAsStream("schema/sluice-policy.schema.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  /** The text from one heading to another. */
  private static String section(String doc, String[] headings) {
    int start = doc.indexOf("\n" + headings[0]);
    int end = doc.indexOf("\n" + headings[1], start + 1);
    assertThat(start)
        .as("docs/policies.md has a section %s", headings[0])
        .isGreaterThanOrEqualTo(0);
    assertThat(end)
        .as("docs/policies.md has a section %s after %s", headings[1], headings[0])
        .isGreaterThan(start);
    return doc.substring(start, end);
  }

  /** Every property name reachable from a schema node, following $refs into $defs. */
  private static void properties(
      JsonNode node, JsonNode defs, Set<String> seenRefs, Set<String> out) {
    if (node == null || !node.isContainerNode()) {
      return;
    }
    if (node.has("$ref")) {
      String ref = node.get("$ref").asText();
      if (ref.startsWith("#/$defs/") && seenRefs.add(ref)) {
        properties(defs.get(ref.substring("#/$defs/".length())), defs, seenRefs, out);
      }
    }
    if (node.has("properties")) {
      node.get("properties").fieldNames().forEachRemaining(out::add);
    }
    for (JsonNode child : node) {
      properties(child, defs, seenRefs, out);
    }
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                if (!e.getKey().equals("properties")) {
                  properties(e.getValue(), defs, seenRefs, out);
                }
              });
      if (node.has("properties")) {
        node.get("properties").forEach(p -> properties(p, defs, seenRefs, out));
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyFieldOfTheSchemaIsDocumentedInItsKindsSection() throws Exception {
    JsonNode schema = schema();
    JsonNode defs = schema.get("$defs");
    String doc = Files.readString(DOC);
    Map<String, String[]> kinds = new LinkedHashMap<>(SECTIONS);
    assertThat(kinds.keySet())
        .as("every kind of the schema has a section here")
        .containsAll(kindsOf(schema));
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, String[]> k : kinds.entrySet()) {
      Set<String> fields = new TreeSet<>();
      properties(defs.get(k.getKey()), defs, new HashSet<>(), fields);
      fields.remove("kind");
      String text = section(doc, k.getValue());
      tests.add(
          DynamicTest.dynamicTest(
              k.getKey(),
              () -> {
                List<String> missing =
                    fields.stream()
                        .filter(
                            f ->
                                !Pattern.compile(
                                        "(`"
                                            + Pattern.quote(f)
                                            + "[`:.\\[ ]|\\b"
                                            + Pattern.quote(f)
                                            + ":)")
                                    .matcher(text)
                                    .find())
                        .filter(
                            f ->
                                !Pattern.compile("`[^`\\n]*\\b" + Pattern.quote(f) + "\\b[^`\\n]*`")
                                    .matcher(text)
                                    .find())
                        .toList();
                assertThat(missing)
                    .as(
                        "fields of %s in the schema that section '%s' of docs/policies.md never names",
                        k.getKey(), k.getValue()[0])
                    .isEmpty();
              }));
    }
    return tests.stream();
  }

  private static Set<String> kindsOf(JsonNode schema) {
    Set<String> kinds = new TreeSet<>();
    for (JsonNode branch : schema.get("oneOf")) {
      String ref = branch.path("$ref").asText();
      if (ref.startsWith("#/$defs/")) {
        kinds.add(ref.substring("#/$defs/".length()));
      }
    }
    return kinds;
  }

  @Test
  void everyPolicyExampleInTheReferenceIsValidAgainstTheSchema() throws Exception {
    String doc = Files.readString(DOC);
    Matcher m = YAML_BLOCK.matcher(doc);
    int examples = 0;
    List<String> invalid = new ArrayList<>();
    while (m.find()) {
      String yaml = m.group(1);
      if (!Pattern.compile("(?m)^kind: ").matcher(yaml).find()) {
        continue; // a fragment (one field's options), or the registry
      }
      int line = doc.substring(0, m.start()).split("\n", -1).length;
      Path file = Files.createTempFile("policies-md-" + line + "-", ".yaml");
      Files.writeString(file, yaml);
      for (SchemaTest.Checked c : SchemaTest.check(file)) {
        examples++;
        if (!c.valid()) {
          invalid.add("docs/policies.md example at line " + line + ": " + c.messages());
        }
      }
      Files.delete(file);
    }
    assertThat(examples).as("policy examples in docs/policies.md").isGreaterThan(20);
    assertThat(invalid).isEmpty();
  }
}
