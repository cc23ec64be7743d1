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
    YamlDocument doc =
        parse(
                """
        kind: Route
        name: users
        match:
          prefix: /users
        to:
          - service: users
            weight: 3
        timeout: [1]
        """)
            .get(0);
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
    YamlNode root =
        parse(
                """
        kind: Route
        match:
          prefix: /a
        """)
            .get(0)
            .node();
    YamlNode missing = root.get("match").get("exact");
    assertThat(missing.isMissing()).isTrue();
    assertThat(missing.path()).isEqualTo("match.exact");
    assertThat(missing.keyPosition()).isEqualTo(new Position(2, 1));
    assertThat(root.get("to").keyPosition()).isEqualTo(new Position(1, 1));
  }

  @Test
  void severalDocumentsKeepFileLinesAndIndexes() throws Exception {
    List<YamlDocument> docs =
        parse(
            """
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
    List<YamlDocument> docs =
        parse(
            """
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
    YamlNode root =
        parse(
                """
        a:
        b: ""
        c: ~
        """)
            .get(0)
            .node();
    assertThat(root.get("a").value().isNull()).isTrue();
    assertThat(root.get("a").isAbsent()).isTrue();
    assertThat(root.get("b").value().isTextual()).isTrue();
    assertThat(root.get("b").value().asText()).isEmpty();
    assertThat(root.get("c").isAbsent()).isTrue();
  }

  @Test
  void scalarTypesFollowYaml() throws Exception {
    YamlNode root =
        parse(
                """
        port: 8080
        quoted: "8080"
        ratio: 0.5
        flag: true
        text: hello
        """)
            .get(0)
            .node();
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
    assertThat(
            syntaxError(
                """
        kind: Route
        name: users
          to: users
        """))
        .isEqualTo("error: p.yaml:3:5: invalid YAML: mapping values are not allowed here");
    assertThat(
            syntaxError(
                """
        kind: Route
        name: "users
        """))
        .isEqualTo(
            "error: p.yaml:3:1: invalid YAML: found unexpected end of stream"
                + " (while scanning a quoted scalar started at 2:7)");
    assertThat(syntaxError("kind: Route\nname: users\n\tto: users\n"))
        .isEqualTo(
            "error: p.yaml:3:1: invalid YAML: found character '\\t(TAB)' that cannot start any token."
                + " (Do not use \\t(TAB) for indentation) (while scanning for the next token)");
    assertThat(
            syntaxError(
                """
        hosts: [a, b
        to: users
        """))
        .isEqualTo(
            "error: p.yaml:2:3: invalid YAML: expected ',' or ']', but got :"
                + " (while parsing a flow sequence started at 1:8)");
  }

  @Test
  void syntaxErrorsInALaterDocumentUseFileLines() {
    assertThat(
            syntaxError(
                """
        kind: Gateway
        name: edge
        ---
        kind: Route
        name: [users
        """))
        .startsWith("error: p.yaml:6:1: invalid YAML: ");
  }

  @Test
  void duplicateKeysAreRejected() {
    assertThat(
            syntaxError(
                """
        kind: Route
        name: users
        to: users
        to: orders
        """))
        .isEqualTo("error: p.yaml:4:1: invalid YAML: duplicate key 'to' (first written at 3:1)");
    assertThat(
            syntaxError(
                """
        match:
          prefix: /a
          prefix: /b
        """))
        .isEqualTo(
            "error: p.yaml:3:3: invalid YAML: duplicate key 'prefix' (first written at 2:3)");
  }

  @Test
  void aliasesAreRejectedRatherThanReadAsText() {
    assertThat(
            syntaxError(
                """
        a: &svc users
        to: *svc
        """))
        .isEqualTo(
            "error: p.yaml:2:5: invalid YAML: YAML aliases (*svc) are not supported: write the value out in full");
  }

  @Test
  void aBinaryValueIsRefusedAtItsPlace() {
    assertThat(
            syntaxError(
                """
        services:
          users:
            - {address: 10.0.0.1, port: !!binary : 128}
        """))
        .isEqualTo(
            "error: p.yaml:3:33: invalid YAML: binary values (!!binary) are not supported: write the value as text");
  }

  @Test
  void readUsesThePathGiven(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("x.yaml");
    Files.writeString(file, "a: 1\n---\nb: [\n");
    assertThatThrownBy(() -> YamlFiles.read(file))
        .isInstanceOfSatisfying(
            YamlSyntaxException.class,
            e -> {
              assertThat(e.finding().file()).isEqualTo(file);
              assertThat(e.finding().position()).isEqualTo(new Position(4, 1));
            });
  }

  // Limits (docs/policies.md): each refused at the place of the input, before the work it bounds.

  @Test
  void nestingDeeperThanTheLimitIsReportedWhereItGoesTooDeep() throws Exception {
    assertThat(syntaxError("a: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n"))
        .isEqualTo(
            "error: p.yaml:1:35: invalid YAML: more than 32 maps and lists nested in one another (sluice.yaml.maxDepth)");
    StringBuilder block = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      block.append("  ".repeat(i)).append("k").append(i).append(":\n");
    }
    assertThat(syntaxError(block.toString()))
        .isEqualTo(
            "error: p.yaml:33:65: invalid YAML: more than 32 maps and lists nested in one another (sluice.yaml.maxDepth)");
    assertThat(
            YamlFiles.parse(
                FILE, "a: " + "[".repeat(31) + "]".repeat(31) + "\n", YamlLimits.DEFAULT))
        .hasSize(1);
  }

  @Test
  void aValueLongerThanTheLimitIsRefusedAtItsPosition() throws Exception {
    String lines =
        ("  " + "x".repeat(99) + "\n").repeat(2700); // 270,000 characters, on short lines
    assertThat(syntaxError("kind: Route\nname: |\n" + lines))
        .isEqualTo(
            "error: p.yaml:2:7: invalid YAML: a value of 270000 characters, more than the 262144 a value may have (sluice.yaml.maxScalarChars)");
    assertThat(syntaxError("kind: Route\n? |\n" + lines + ": 1\n"))
        .isEqualTo(
            "error: p.yaml:2:3: invalid YAML: a key of 270000 characters, more than the 262144 a value may have (sluice.yaml.maxScalarChars)");
    assertThat(parse("name: |\n" + ("  " + "x".repeat(99) + "\n").repeat(2600))).hasSize(1);
  }

  @Test
  void aLineLongerThanAValueMayBeIsRefusedBeforeItIsParsed() throws Exception {
    // SnakeYAML's time grows with the square of a line's longest word: 4 MB in quotes took 45 s
    String big = "x".repeat(4_000_000);
    assertThat(syntaxError("kind: Route\nname: \"" + big + "\"\n"))
        .isEqualTo(
            "error: p.yaml:2:262145: invalid YAML: a line longer than the 262144 characters a value may have (sluice.yaml.maxScalarChars): not parsed");
    assertThat(parse("name: \"" + "x".repeat(262_144 - 8) + "\"\n")).hasSize(1);
  }

  @Test
  void moreDocumentsThanTheLimitAreRefusedAtTheFirstOneTooMany() {
    YamlLimits three = new YamlLimits(YamlLimits.DEFAULT.maxFileBytes(), 3, 100, 8);
    assertThatThrownBy(
            () -> YamlFiles.parse(FILE, "a: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4\n", three))
        .isInstanceOfSatisfying(
            YamlSyntaxException.class,
            e ->
                assertThat(e.finding().format())
                    .isEqualTo(
                        "error: p.yaml:7:1: invalid YAML: more than 3 documents in one file (sluice.yaml.maxDocuments)"));
    assertThat(YamlLimits.DEFAULT.maxDocuments()).isEqualTo(10_000);
  }

  @Test
  void aControlCharacterIsReportedAtItsLineAndColumn() {
    assertThat(syntaxError("kind: Route\nname: us\u0000ers\n"))
        .isEqualTo(
            "error: p.yaml:2:9: invalid YAML: the character U+0000 is not allowed in a YAML file");
    assertThat(syntaxError("kind: Route\n\u0007"))
        .isEqualTo(
            "error: p.yaml:2:1: invalid YAML: the character U+0007 is not allowed in a YAML file");
  }

  @Test
  void bytesThatAreNotUtf8AreReportedAtTheirLineAndColumn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.yaml");
    Files.write(
        file,
        new byte[] {
          'k',
          'i',
          'n',
          'd',
          ':',
          ' ',
          'R',
          '\n',
          'n',
          'a',
          'm',
          'e',
          ':',
          ' ',
          (byte) 0xc3,
          'x',
          '\n'
        });
    assertThatThrownBy(() -> YamlFiles.read(file))
        .isInstanceOfSatisfying(
            YamlSyntaxException.class,
            e ->
                assertThat(e.finding().format())
                    .isEqualTo(
                        "error: "
                            + file
                            + ":2:7: not UTF-8: the byte 0xC3 (at byte offset 14) does not decode; policy files are UTF-8 text"));
    Files.writeString(file, "name: caf\u00e9 \ud83d\ude00\n");
    assertThat(YamlFiles.read(file).get(0).node().get("name").value().asText())
        .isEqualTo("caf\u00e9 \ud83d\ude00");
  }

  @Test
  void aFileLargerThanTheLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, "a: 12345\n");
    YamlLimits eight = new YamlLimits(8, 10, 100, 8);
    assertThatThrownBy(() -> YamlFiles.text(file, eight))
        .isInstanceOfSatisfying(
            YamlSyntaxException.class,
            e ->
                assertThat(e.finding().format())
                    .isEqualTo(
                        "error: "
                            + file
                            + ":1:1: the file is 9 bytes, more than the 8 a file may have (sluice.yaml.maxFileBytes): not read"));
    assertThat(YamlFiles.text(file, YamlLimits.DEFAULT)).isEqualTo("a: 12345\n");
  }
}
