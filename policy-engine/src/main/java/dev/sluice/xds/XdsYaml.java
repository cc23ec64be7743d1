package dev.sluice.xds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.sluice.policy.tls.PrivateKeyFile;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Envoy resources as YAML, the way Envoy's config_dump shows them (proto field names, snake_case):
 * for golden files and render. Private keys are redacted, as in Envoy's config_dump, but with a
 * fingerprint so a golden file still shows which key went where and changes when the key does.
 */
public final class XdsYaml {
  /** Every type we pack into an Any; JsonFormat needs them to print typed_config. */
  public static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor())
      .add(Router.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.compressor.v3.Compressor.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.compressor.v3.CompressorPerRoute.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.compression.gzip.compressor.v3.Gzip.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.compression.brotli.compressor.v3.Brotli.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.cache.v3.CacheConfig.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.http.cache.simple_http_cache.v3.SimpleHttpCacheConfig.getDescriptor())
      .add(io.envoyproxy.envoy.config.route.v3.FilterConfig.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.rate_limit_descriptors.expr.v3.Descriptor.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.basic_auth.v3.BasicAuth.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.basic_auth.v3.BasicAuthPerRoute.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog.getDescriptor())
      .add(io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig.getDescriptor())
      .build();
  /** Fields that hold a secret (Envoy marks them {@code udpa.annotations.sensitive}) and are never printed. */
  static final List<String> SENSITIVE = List.of("private_key", "password");
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .build());

  private XdsYaml() {}

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
      throw new IllegalArgumentException("cannot print " + m.getDescriptorForType().getFullName(), e);
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
          entries.forEach(e -> {
            if (e instanceof ObjectNode h && h.path("key").asText().equalsIgnoreCase("authorization")) {
              h.put("value", "<redacted>");
            }
          });
        } else if (SENSITIVE.contains(field)) {
          o.set(field, new TextNode("<redacted sha256:" + PrivateKeyFile.fingerprint(content(o.get(field))) + ">"));
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
