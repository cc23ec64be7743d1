package dev.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicyKinds;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schema editors validate with is written by hand; this holds it to the kinds' own field
 * lists, so a field added to a kind (or a kind added to the registry) without the schema fails the
 * build.
 */
class SchemaMatchesKindsTest {
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
}
