package dev.sluice.xds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.sluice.policy.tls.PrivateKeyFile;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Envoy resources as YAML, the way Envoy's config_dump shows them (proto field names, snake_case):
 * for golden files and render. Private keys are redacted, as in Envoy's config_dump, but with a
 * fingerprint so a golden file still shows which key went where and changes when the key does.
 */
public final class XdsYaml {
  /**
   * Every type we pack into an Any. The gateway's HTTP filters name theirs ({@link
   * HttpFilterFeature#types()}); the rest are packed elsewhere.
   */
  static final List<Descriptor> PACKED =
      Stream.concat(
              HttpFilterChain.FILTERS.stream().flatMap(f -> f.types().stream()),
              Stream.of(
                  HttpConnectionManager.getDescriptor(),
                  HttpProtocolOptions.getDescriptor(),
                  // the sidecar's inbound chain: its mesh RBAC filter and the rules on its route
                  // table
                  RBAC.getDescriptor(),
                  RBACPerRoute.getDescriptor(),
                  UpstreamTlsContext.getDescriptor(),
                  DownstreamTlsContext.getDescriptor(),
                  Secret.getDescriptor(),
                  FileAccessLog.getDescriptor(),
                  OpenTelemetryConfig.getDescriptor()))
          .distinct()
          .toList();

  /** The types JsonFormat needs to print typed_config. */
  public static final JsonFormat.TypeRegistry TYPES = registry(PACKED);

  /**
   * Fields that hold a secret (Envoy marks them {@code udpa.annotations.sensitive}) and are never
   * printed.
   */
  static final List<String> SENSITIVE = List.of("private_key", "password");

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  private XdsYaml() {}

  /**
   * The YAML mapper of these files (no document marker, quotes only where needed), for what reads
   * or writes the same format; configured once, safe to share.
   */
  public static ObjectMapper mapper() {
    return YAML;
  }

  private static JsonFormat.TypeRegistry registry(List<Descriptor> types) {
    JsonFormat.TypeRegistry.Builder b = JsonFormat.TypeRegistry.newBuilder();
    types.forEach(b::add);
    return b.build();
  }

  public static String of(List<? extends Message> resources) {
    ArrayNode list = JSON.createArrayNode();
    for (Message m : resources) {
      list.add(json(m));
    }
    try {
      return YAML.writeValueAsString(list);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode json(Message m) {
    try {
      return redact(JSON.readTree(PRINTER.print(m)));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "cannot print " + m.getDescriptorForType().getFullName(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Replaces every sensitive DataSource with {@code <redacted sha256:...>} of its content, and the
   * value of every {@code authorization} entry of a gRPC service's {@code initial_metadata} (the
   * credential an Envoy presents to a service) with {@code <redacted>}.
   */
  static JsonNode redact(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (String field : List.copyOf(o.propertyStream().map(Map.Entry::getKey).toList())) {
        if (field.equals("initial_metadata") && o.get(field) instanceof ArrayNode entries) {
          entries.forEach(
              e -> {
                if (e instanceof ObjectNode h
                    && h.path("key").asText().equalsIgnoreCase("authorization")) {
                  h.put("value", "<redacted>");
                }
              });
        } else if (SENSITIVE.contains(field)) {
          o.set(
              field,
              new TextNode(
                  "<redacted sha256:" + PrivateKeyFile.fingerprint(content(o.get(field))) + ">"));
        } else {
          redact(o.get(field));
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(XdsYaml::redact);
    }
    return node;
  }

  /** The bytes a DataSource holds inline, or its JSON text for any other form. */
  private static byte[] content(JsonNode dataSource) {
    if (dataSource.has("inline_bytes")) {
      return Base64.getDecoder().decode(dataSource.get("inline_bytes").asText());
    }
    if (dataSource.has("inline_string")) {
      return dataSource.get("inline_string").asText().getBytes(StandardCharsets.UTF_8);
    }
    return dataSource.toString().getBytes(StandardCharsets.UTF_8);
  }
}
