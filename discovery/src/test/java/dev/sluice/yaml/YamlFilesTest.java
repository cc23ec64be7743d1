package dev.sluice.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Positions are 1-based lines and columns, as editors show them; keys point at the key. */
class YamlFilesTest {
  private static final Path FILE = Path.of("p.yaml");

  private static List<YamlDocument> parse(String yaml) throws YamlSyntaxException {
    return YamlFiles.parse(FILE, yaml);
  }

  private static String syntaxError(String yaml) {
    try {
      parse(yaml);
    } catch (YamlSyntaxException e) {
      return e.finding().format();
    }
    throw new AssertionError("expected a syntax error for:\n" + yaml);
  }

  @Test
  void positionsOfKeysAndValuesAreOneBased() throws Exception {
    YamlDocument doc = parse("""
        kind: Route
        name: users
        match:
          prefix: /users
        to:
          - service: users
            weight: 3
        timeout: [1]
        """).get(0);
    YamlNode root = doc.node();
    assertThat(root.position()).isEqualTo(new Position(1, 1));
    assertThat(root.get("kind").keyPosition()).isEqualTo(new Position(1, 1));
    assertThat(root.get("kind").position()).isEqualTo(new Position(1, 7));
    assertThat(root.get("name").position()).isEqualTo(new Position(2, 7));
    assertThat(root.get("match").get("prefix").keyPosition()).isEqualTo(new Position(4, 3));
    assertThat(root.get("match").get("prefix").position()).isEqualTo(new Position(4, 11));
    YamlNode first = root.get("to").elements().get(0);
    assertThat(first.path()).isEqualTo("to[0]");
    assertThat(first.position()).isEqualTo(new Position(6, 5));
    assertThat(first.get("weight").position()).isEqualTo(new Position(7, 13));
    assertThat(first.get("weight").path()).isEqualTo("to[0].weight");
    assertThat(root.get("timeout").position()).isEqualTo(new Position(8, 10));
    assertThat(root.get("timeout").elements().get(0).position()).isEqualTo(new Position(8, 11));
  }

  @Test
  void missingFieldsPointAtTheirParent() throws Exception {
    YamlNode root = parse("""
        kind: Route
        match:
          prefix: /a
        """).get(0).node();
    YamlNode missing = root.get("match").get("exact");
    assertThat(missing.isMissing()).isTrue();
    assertThat(missing.path()).isEqualTo("match.exact");
    assertThat(missing.keyPosition()).isEqualTo(new Position(2, 1));
    assertThat(root.get("to").keyPosition()).isEqualTo(new Position(1, 1));
  }

  @Test
  void severalDocumentsKeepFileLinesAndIndexes() throws Exception {
    List<YamlDocument> docs = parse("""
        kind: Gateway
        name: edge
        ---
        # a comment before the document

        kind: Route
        name: users
        """);
    assertThat(docs).hasSize(2);
    assertThat(docs.get(0).index()).isZero();
    assertThat(docs.get(1).index()).isEqualTo(1);
    assertThat(docs.get(1).start()).isEqualTo(new Position(6, 1));
    assertThat(docs.get(1).node().get("name").position()).isEqualTo(new Position(7, 7));
  }

  @Test
  void emptyDocumentsAreSkipped() throws Exception {
    List<YamlDocument> docs = parse("""
        ---
        ---
        # only a comment
        ---
        a: 1
        ---
        """);
    assertThat(docs).hasSize(1);
    assertThat(docs.get(0).root().get("a").asInt()).isEqualTo(1);
    assertThat(docs.get(0).start()).isEqualTo(new Position(5, 1));
    assertThat(parse("")).isEmpty();
    assertThat(parse("# nothing\n")).isEmpty();
  }

  @Test
  void anEmptyValueIsNullButAQuotedEmptyStringIsAString() throws Exception {
    YamlNode root = parse("""
        a:
        b: ""
        c: ~
        """).get(0).node();
    assertThat(root.get("a").value().isNull()).isTrue();
    assertThat(root.get("a").isAbsent()).isTrue();
    assertThat(root.get("b").value().isTextual()).isTrue();
    assertThat(root.get("b").value().asText()).isEmpty();
    assertThat(root.get("c").isAbsent()).isTrue();
  }

  @Test
  void scalarTypesFollowYaml() throws Exception {
    YamlNode root = parse("""
        port: 8080
        quoted: "8080"
        ratio: 0.5
        flag: true
        text: hello
        """).get(0).node();
    assertThat(root.get("port").value().isIntegralNumber()).isTrue();
    assertThat(root.get("quoted").value().isTextual()).isTrue();
    assertThat(root.get("ratio").value().isFloatingPointNumber()).isTrue();
    assertThat(root.get("flag").value().isBoolean()).isTrue();
    assertThat(root.get("text").typeName()).isEqualTo("a string");
    assertThat(root.get("port").typeName()).isEqualTo("a number");
  }

  @Test
  void fieldsKeepTheirWrittenOrder() throws Exception {
    YamlNode root = parse("z: 1\na: 2\nm: 3\n").get(0).node();
    assertThat(root.fields().keySet()).containsExactly("z", "a", "m");
  }

  @Test
  void syntaxErrorsPointAtTheMistake() {
    assertThat(syntaxError("""
        kind: Route
        name: users
          to: users
        """)).isEqualTo("error: p.yaml:3:5: invalid YAML: mapping values are not allowed here");
    assertThat(syntaxError("""
        kind: Route
        name: "users
        """)).isEqualTo("error: p.yaml:3:1: invalid YAML: found unexpected end of stream"
            + " (while scanning a quoted scalar started at 2:7)");
    assertThat(syntaxError("kind: Route\nname: users\n\tto: users\n"))
        .isEqualTo("error: p.yaml:3:1: invalid YAML: found character '\\t(TAB)' that cannot start any token."
            + " (Do not use \\t(TAB) for indentation) (while scanning for the next token)");
    assertThat(syntaxError("""
        hosts: [a, b
        to: users
        """)).isEqualTo("error: p.yaml:2:3: invalid YAML: expected ',' or ']', but got :"
            + " (while parsing a flow sequence started at 1:8)");
  }

  @Test
  void syntaxErrorsInALaterDocumentUseFileLines() {
    assertThat(syntaxError("""
        kind: Gateway
        name: edge
        ---
        kind: Route
        name: [users
        """)).startsWith("error: p.yaml:6:1: invalid YAML: ");
  }

  @Test
  void duplicateKeysAreRejected() {
    assertThat(syntaxError("""
        kind: Route
        name: users
        to: users
        to: orders
        """)).isEqualTo("error: p.yaml:4:1: invalid YAML: duplicate key 'to' (first written at 3:1)");
    assertThat(syntaxError("""
        match:
          prefix: /a
          prefix: /b
        """)).isEqualTo("error: p.yaml:3:3: invalid YAML: duplicate key 'prefix' (first written at 2:3)");
  }

  @Test
  void aliasesAreRejectedRatherThanReadAsText() {
    assertThat(syntaxError("""
        a: &svc users
        to: *svc
        """)).isEqualTo("error: p.yaml:2:5: invalid YAML: YAML aliases (*svc) are not supported: write the value out in full");
  }

  @Test
  void readUsesThePathGiven(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("x.yaml");
    Files.writeString(file, "a: 1\n---\nb: [\n");
    assertThatThrownBy(() -> YamlFiles.read(file))
        .isInstanceOfSatisfying(YamlSyntaxException.class, e -> {
          assertThat(e.finding().file()).isEqualTo(file);
          assertThat(e.finding().position()).isEqualTo(new Position(4, 1));
        });
  }
}
