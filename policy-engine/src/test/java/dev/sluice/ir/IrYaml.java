package dev.sluice.ir;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The IR of a golden case as YAML: every proxy group's {@link ProxyConfig}, record components in
 * declaration order, map entries sorted. Paths are cut to the case folder, so the file is the same
 * on every machine; private keys and byte arrays are replaced by what they are, never their
 * content.
 */
public final class IrYaml {
  private IrYaml() {}

  public static String of(Map<String, ProxyConfig> ir, Path caseDir) {
    String prefix = caseDir.toString() + File.separator;
    JsonMapper json =
        JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .addModule(module(prefix))
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
            .build();
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ir.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> root.set(e.getKey(), json.valueToTree(e.getValue())));
    try {
      return YAMLMapper.builder(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build())
          .build()
          .writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SimpleModule module(String prefix) {
    SimpleModule m = new SimpleModule();
    m.addSerializer(String.class, new Text(prefix));
    m.addSerializer(
        Path.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(Path p, JsonGenerator g, SerializerProvider s) throws IOException {
            g.writeString(p.toString().replace(prefix, ""));
          }
        });
    m.addSerializer(
        byte[].class,
        new JsonSerializer<>() {
          @Override
          public void serialize(byte[] b, JsonGenerator g, SerializerProvider s)
              throws IOException {
            g.writeString(b.length + " bytes, sha256 " + sha256(b));
          }
        });
    m.addSerializer(Pattern.class, ToStringSerializer.instance);
    m.addSerializer(Duration.class, ToStringSerializer.instance);
    return m;
  }

  /** A string as written, but with the case folder cut and a private key named, not shown. */
  private static final class Text extends JsonSerializer<String> {
    private final String prefix;

    Text(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public void serialize(String v, JsonGenerator g, SerializerProvider s) throws IOException {
      g.writeString(v.contains("PRIVATE KEY") ? "<private key>" : v.replace(prefix, ""));
    }
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(b))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
