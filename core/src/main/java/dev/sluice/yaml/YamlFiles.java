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
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
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
   * Empty plain scalars ({@code to:} with nothing after it, or an empty document between two {@code
   * ---}) are null, as YAML says, not the empty string Jackson gives by default; a quoted {@code
   * ""} stays a string.
   */
  private static final YAMLFactory FACTORY =
      YAMLFactory.builder()
          .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
          .loaderOptions(loaderOptions())
          .build();

  /** SnakeYAML's own size limit (3 MB, reported at no position) is left to {@link YamlLimits}. */
  private static LoaderOptions loaderOptions() {
    LoaderOptions o = new LoaderOptions();
    o.setCodePointLimit(Integer.MAX_VALUE);
    return o;
  }

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
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxFileBytes() + 1));
    }
    if (bytes.length > limits.maxFileBytes()) {
      throw tooBig(file, bytes.length, limits);
    }
    return utf8(file, bytes);
  }

  /** The bytes as UTF-8; a byte that is not is reported at its line and column. */
  static String utf8(Path file, byte[] bytes) throws YamlSyntaxException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = decoder.decode(in, out, true);
    if (!r.isError()) {
      r = decoder.flush(out);
    }
    if (r.isError()) {
      int at = in.position();
      out.flip();
      throw new YamlSyntaxException(
          file,
          positionAfter(out),
          String.format(
              "not UTF-8: the byte 0x%02X (at byte offset %d) does not decode; policy files are UTF-8 text",
              bytes[at] & 0xff, at));
    }
    out.flip();
    return out.toString();
  }

  /** The 1-based position of the character after {@code text}. */
  private static Position positionAfter(CharSequence text) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new Position(line, column);
  }

  /**
   * The first character YAML does not allow in a file (C0 controls but tab and line breaks, DEL, C1
   * controls but NEL, a lone surrogate, U+FFFE/U+FFFF), reported at its line and column: SnakeYAML
   * would report it at 1:1.
   */
  private static void printable(Path file, String content, YamlLimits limits)
      throws YamlSyntaxException {
    int line = 1;
    int column = 1;
    for (int i = 0; i < content.length(); i++) {
      char c = content.charAt(i);
      boolean ok;
      if (Character.isHighSurrogate(c)
          && i + 1 < content.length()
          && Character.isLowSurrogate(content.charAt(i + 1))) {
        i++;
        column++;
        continue;
      }
      ok =
          c == '\t'
              || c == '\n'
              || c == '\r'
              || (c >= 0x20 && c <= 0x7e)
              || c == 0x85
              || (c >= 0xa0 && c <= 0xd7ff)
              || (c >= 0xe000 && c <= 0xfffd);
      if (!ok) {
        throw new YamlSyntaxException(
            file,
            new Position(line, column),
            String.format(
                "invalid YAML: the character U+%04X is not allowed in a YAML file", (int) c));
      }
      if (c == '\n') {
        line++;
        column = 1;
      } else if (++column > limits.maxScalarChars() + 1) {
        // SnakeYAML's time grows with the square of a line's longest word (a 4 MB quoted value took
        // 45 s), so a line that long is refused before parsing: no value on it could be valid
        throw new YamlSyntaxException(
            file,
            new Position(line, column - 1),
            "invalid YAML: a line longer than the "
                + limits.maxScalarChars()
                + " characters a value may have (sluice.yaml.maxScalarChars): not parsed");
      }
    }
  }

  private static YamlSyntaxException tooBig(Path file, long size, YamlLimits limits) {
    return new YamlSyntaxException(
        file,
        new Position(1, 1),
        "the file is "
            + size
            + " bytes, more than the "
            + limits.maxFileBytes()
            + " a file may have (sluice.yaml.maxFileBytes): not read");
  }

  public static List<YamlDocument> parse(Path file, String content) throws YamlSyntaxException {
    return parse(file, content, YamlLimits.DEFAULT);
  }

  /** The documents of the text, within the limits (but the file size, checked when it is read). */
  public static List<YamlDocument> parse(Path file, String content, YamlLimits limits)
      throws YamlSyntaxException {
    printable(file, content, limits);
    List<YamlDocument> docs = new ArrayList<>();
    try (JsonParser p = FACTORY.createParser(content)) {
      int index = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        Map<String, Position> positions = new HashMap<>();
        Position start = pos(p.currentTokenLocation());
        if (index >= limits.maxDocuments()) {
          throw new Invalid(
              start,
              "more than "
                  + limits.maxDocuments()
                  + " documents in one file (sluice.yaml.maxDocuments)");
        }
        JsonNode root = readValue(p, t, "", positions, limits, 0);
        if (!root.isNull()) {
          docs.add(new YamlDocument(file, index, start, root, Map.copyOf(positions)));
        }
        index++;
      }
    } catch (Invalid e) {
      throw new YamlSyntaxException(file, e.position, "invalid YAML: " + e.getMessage(), docs);
    } catch (JsonProcessingException e) {
      // Jackson's location is that of the last good token; SnakeYAML's problem mark is where the
      // mistake is, and its message without the multi-line snippet fits the one-line format.
      if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        Mark at = m.getProblemMark();
        String context =
            m.getContext() == null
                ? ""
                : " ("
                    + m.getContext()
                    + (m.getContextMark() == null
                        ? ""
                        : " started at "
                            + (m.getContextMark().getLine() + 1)
                            + ":"
                            + (m.getContextMark().getColumn() + 1))
                    + ")";
        throw new YamlSyntaxException(
            file,
            new Position(at.getLine() + 1, at.getColumn() + 1),
            "invalid YAML: " + m.getProblem() + context,
            docs);
      }
      JsonLocation loc = e.getLocation();
      throw new YamlSyntaxException(
          file,
          loc == null ? Position.UNKNOWN : pos(loc),
          "invalid YAML: " + e.getOriginalMessage(),
          docs);
    } catch (IOException e) {
      throw new YamlSyntaxException(file, Position.UNKNOWN, "cannot read: " + e.getMessage(), docs);
    }
    return docs;
  }

  private static JsonNode readValue(
      JsonParser p,
      JsonToken t,
      String pointer,
      Map<String, Position> positions,
      YamlLimits limits,
      int depth)
      throws IOException {
    positions.put(pointer, pos(p.currentTokenLocation()));
    if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && depth >= limits.maxDepth()) {
      throw new Invalid(
          pos(p.currentTokenLocation()),
          "more than "
              + limits.maxDepth()
              + " maps and lists nested in one another (sluice.yaml.maxDepth)");
    }
    if (t == JsonToken.VALUE_STRING && p.getTextLength() > limits.maxScalarChars()) {
      throw new Invalid(
          pos(p.currentTokenLocation()),
          "a value of "
              + p.getTextLength()
              + " characters, more than the "
              + limits.maxScalarChars()
              + " a value may have (sluice.yaml.maxScalarChars)");
    }
    if (p instanceof YAMLParser y && y.isCurrentAlias()) {
      // Jackson's streaming parser does not resolve aliases: it would hand us the alias name as
      // text.
      throw new Invalid(
          pos(p.currentTokenLocation()),
          "YAML aliases (*" + p.getText() + ") are not supported: write the value out in full");
    }
    switch (t) {
      case START_OBJECT -> {
        ObjectNode obj = NODES.objectNode();
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          Position key = pos(p.currentTokenLocation());
          if (name.length() > limits.maxScalarChars()) {
            throw new Invalid(
                key,
                "a key of "
                    + name.length()
                    + " characters, more than the "
                    + limits.maxScalarChars()
                    + " a value may have (sluice.yaml.maxScalarChars)");
          }
          String child = pointer + "/" + escape(name);
          if (obj.has(name)) {
            // YAML requires unique keys; Jackson would silently keep the last value.
            throw new Invalid(
                key,
                "duplicate key '"
                    + name
                    + "' (first written at "
                    + positions.get(child + "#key")
                    + ")");
          }
          positions.put(child + "#key", key);
          JsonToken vt = p.nextToken();
          obj.set(name, readValue(p, vt, child, positions, limits, depth + 1));
        }
        return obj;
      }
      case START_ARRAY -> {
        ArrayNode arr = NODES.arrayNode();
        int i = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          arr.add(readValue(p, t, pointer + "/" + i, positions, limits, depth + 1));
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
      case VALUE_EMBEDDED_OBJECT ->
          throw new Invalid(
              pos(p.currentTokenLocation()),
              "binary values (!!binary) are not supported: write the value as text");
      default -> throw new Invalid(pos(p.currentTokenLocation()), "unexpected YAML token " + t);
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
