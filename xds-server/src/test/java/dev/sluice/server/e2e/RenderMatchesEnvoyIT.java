package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.core.LineDiff;
import dev.sluice.server.cli.SluiceCli;
import dev.sluice.server.render.XdsType;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sluice render} prints what Envoy runs: the rendered listeners, route tables, clusters and
 * endpoints of a proxy group equal, resource by resource, what a real Envoy of that group reports
 * in its own {@code /config_dump?include_eds} (for endpoints, once the defaults Envoy fills in when
 * it rebuilds them from its hosts are set aside: see {@link #withoutEnvoyDefaults}). The input is
 * the documented example gateway (CORS, compression, gRPC-Web, a redirect, a direct response,
 * weighted tag subsets, retries, a mirror, header edits, a query match, the cache, gRPC-JSON
 * transcoding, zone failover, health checks, circuit breakers, outlier detection, ring-hash and
 * least-request balancing, a gRPC upstream).
 */
class RenderMatchesEnvoyIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Where each type sits in Envoy's config_dump: the dump's {@code @type}, its list, the resource
   * field in each entry.
   */
  private record Section(String dumpType, String list, String field) {}

  private static final Map<XdsType, Section> SECTIONS =
      Map.of(
          XdsType.LISTENERS,
              new Section(
                  "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
                  "dynamic_listeners",
                  "active_state.listener"),
          XdsType.ROUTES,
              new Section(
                  "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
                  "dynamic_route_configs",
                  "route_config"),
          XdsType.CLUSTERS,
              new Section(
                  "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
                  "dynamic_active_clusters",
                  "cluster"),
          XdsType.ENDPOINTS,
              new Section(
                  "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump",
                  "dynamic_endpoint_configs",
                  "endpoint_config"));

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private SluiceFixture sluice;
  private EnvoyProcess envoy;
  private HttpUpstream webA;
  private HttpUpstream webB;

  @BeforeEach
  void start() throws IOException {
    sluice = new SluiceFixture();
    Path example = RepoPaths.resolve("docs/examples/edge-gateway");
    // web has active health checks, so Envoy reports its own verdict as health_status: make the
    // two web instances real, so that verdict is HEALTHY, as sent.
    webA = HttpUpstream.start("web-a");
    webB = HttpUpstream.start("web-b");
    String registry =
        Files.readString(example.resolve("services.yaml"))
            .replace("address: 127.0.1.10, port: 8080", "address: 127.0.0.1, port: " + webA.port())
            .replace("address: 127.0.2.10, port: 8080", "address: 127.0.0.1, port: " + webB.port());
    assertThat(registry).contains("port: " + webA.port(), "port: " + webB.port());
    sluice.writeRegistry(registry);
    try (Stream<Path> files = Files.list(example.resolve("policies"))) {
      for (Path f : files.toList()) {
        Files.copy(f, sluice.policies.resolve(f.getFileName()));
      }
    }
    // The example's gateway replaces the fixture's, on the fixture's free port.
    Files.delete(sluice.policies.resolve("gateway.yaml"));
    Path gateway = sluice.policies.resolve("00-gateway.yaml");
    Files.writeString(
        gateway, Files.readString(gateway).replace("port: 8080", "port: " + sluice.gatewayPort));
    sluice.start();
    envoy = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() {
    sluice.close();
    webA.close();
    webB.close();
  }

  @Test
  void renderedResourcesEqualEnvoysConfigDumpOneByOne() {
    Map<XdsType, Map<String, JsonNode>> rendered = render();
    assertThat(rendered.get(XdsType.LISTENERS)).hasSize(1);
    assertThat(rendered.get(XdsType.ROUTES)).hasSize(1);
    assertThat(rendered.get(XdsType.CLUSTERS)).hasSizeGreaterThanOrEqualTo(6);
    assertThat(rendered.get(XdsType.ENDPOINTS)).hasSameSizeAs(rendered.get(XdsType.CLUSTERS));
    awaitEnvoyMatches(rendered);
  }

  @Test
  void afterAPolicyChangeRenderAndEnvoyAgreeAgain() throws IOException {
    Path routes = sluice.policies.resolve("10-routes.yaml");
    sluice.writePolicy(
        "10-routes.yaml",
        Files.readString(routes).replace("timeout: 3s", "timeout: 4s")
            + "---\nkind: Route\nname: extra\nmatch: {prefix: /extra/}\nto: users-shadow\n");
    Map<XdsType, Map<String, JsonNode>> rendered = render();
    assertThat(JSON.writeValueAsString(rendered.get(XdsType.ROUTES)))
        .contains("\"timeout\" : \"4s\"", "\"name\" : \"extra\"");
    awaitEnvoyMatches(rendered);
  }

  /**
   * Runs {@code sluice render --proxy edge} on the fixture's folder and registry; type → name →
   * resource.
   */
  private Map<XdsType, Map<String, JsonNode>> render() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        SluiceCli.run(
            new PrintWriter(out),
            new PrintWriter(err),
            "render",
            "--policies",
            sluice.policies.toString(),
            "--registry",
            sluice.registry.toString(),
            "--proxy",
            "edge");
    assertThat(exit).as("render exit code; stderr: %s", err).isZero();
    JsonNode root;
    try {
      root = YAML.readTree(out.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<XdsType, Map<String, JsonNode>> byType = new TreeMap<>();
    for (XdsType t : SECTIONS.keySet()) {
      Map<String, JsonNode> byName = new TreeMap<>();
      root.path(t.key()).forEach(r -> byName.put(r.path(t.nameField()).asText(), normalized(r)));
      byType.put(t, byName);
    }
    return byType;
  }

  /** The same from Envoy's /config_dump?include_eds. */
  private Map<XdsType, Map<String, JsonNode>> dumped() {
    JsonNode dump = envoy.configDump();
    Map<XdsType, Map<String, JsonNode>> byType = new TreeMap<>();
    for (Map.Entry<XdsType, Section> e : SECTIONS.entrySet()) {
      Section s = e.getValue();
      Map<String, JsonNode> byName = new TreeMap<>();
      for (JsonNode config : dump.path("configs")) {
        if (!s.dumpType().equals(config.path("@type").asText())) {
          continue;
        }
        for (JsonNode entry : config.path(s.list())) {
          JsonNode resource = entry;
          for (String step : s.field().split("\\.")) {
            resource = resource.path(step);
          }
          if (!resource.isMissingNode()) {
            JsonNode r = normalized(resource);
            if (e.getKey() == XdsType.ENDPOINTS) {
              withoutEnvoyDefaults(r);
            }
            byName.put(r.path(e.getKey().nameField()).asText(), r);
          }
        }
      }
      byType.put(e.getKey(), byName);
    }
    return byType;
  }

  private void awaitEnvoyMatches(Map<XdsType, Map<String, JsonNode>> rendered) {
    // Envoy gets changes in make-before-break stages; wait until the last one is in, then compare.
    List<String> last = new ArrayList<>();
    try {
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                last.clear();
                last.addAll(differences(rendered, dumped()));
                return last.isEmpty();
              });
    } catch (ConditionTimeoutException e) {
      fail("render and Envoy's config_dump still differ after 15s:\n" + String.join("\n", last));
    }
  }

  private static List<String> differences(
      Map<XdsType, Map<String, JsonNode>> rendered, Map<XdsType, Map<String, JsonNode>> dumped)
      throws IOException {
    List<String> out = new ArrayList<>();
    for (XdsType t : SECTIONS.keySet()) {
      Map<String, JsonNode> a = rendered.get(t);
      Map<String, JsonNode> b = dumped.get(t);
      if (!a.keySet().equals(b.keySet())) {
        out.add(t + ": render has " + a.keySet() + ", Envoy has " + b.keySet());
        continue;
      }
      for (String name : a.keySet()) {
        String want = JSON.writeValueAsString(a.get(name));
        String got = JSON.writeValueAsString(b.get(name));
        if (!want.equals(got)) {
          out.add(
              "--- render "
                  + t
                  + "/"
                  + name
                  + "\n+++ config_dump "
                  + t
                  + "/"
                  + name
                  + "\n"
                  + LineDiff.unified(want, got));
        }
      }
    }
    return out;
  }

  /**
   * One form for both sides: keys sorted, every scalar as text (YAML and proto JSON write numbers
   * and booleans alike, but a YAML reader may take an unquoted "1024" for a number), and the
   * resource's own {@code @type} (config_dump holds each resource in an Any) dropped.
   */
  static JsonNode normalized(JsonNode resource) {
    JsonNode copy = sorted(resource);
    if (copy instanceof ObjectNode o) {
      o.remove("@type");
    }
    return copy;
  }

  /**
   * Envoy does not keep the ClusterLoadAssignment it was sent: its config_dump rebuilds one from
   * its hosts and fills in defaults Sluice leaves unset. Only those are removed, and only when they
   * hold the default: an empty {@code health_check_config} and {@code locality}, a locality {@code
   * load_balancing_weight} of 0, and {@code policy.overprovisioning_factor} 140.
   */
  static void withoutEnvoyDefaults(JsonNode cla) {
    for (JsonNode locality : cla.path("endpoints")) {
      ObjectNode l = (ObjectNode) locality;
      if (l.path("load_balancing_weight").asText().equals("0")) {
        l.remove("load_balancing_weight");
      }
      if (l.path("locality").isObject() && l.path("locality").isEmpty()) {
        l.remove("locality");
      }
      for (JsonNode lb : l.path("lb_endpoints")) {
        JsonNode endpoint = lb.path("endpoint");
        if (endpoint.path("health_check_config").isObject()
            && endpoint.path("health_check_config").isEmpty()) {
          ((ObjectNode) endpoint).remove("health_check_config");
        }
      }
    }
    JsonNode policy = cla.path("policy");
    if (policy.size() == 1 && policy.path("overprovisioning_factor").asText().equals("140")) {
      ((ObjectNode) cla).remove("policy");
    }
  }

  private static JsonNode sorted(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = JSON.createObjectNode();
      List<String> keys = new ArrayList<>();
      n.fieldNames().forEachRemaining(keys::add);
      keys.stream().sorted().forEach(k -> o.set(k, sorted(n.get(k))));
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = JSON.createArrayNode();
      n.forEach(x -> a.add(sorted(x)));
      return a;
    }
    return n.isNull() ? n : new TextNode(n.asText());
  }
}
