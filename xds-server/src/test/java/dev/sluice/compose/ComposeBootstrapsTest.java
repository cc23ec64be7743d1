package dev.sluice.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The compose bootstraps (envoy-configs/compose/) are their local counterparts (envoy-configs/)
 * with two differences only: the control plane is the compose service {@code sluice}, found by DNS,
 * instead of 127.0.0.1; and the node names the compose service. Everything else — keepalives,
 * overload manager, admin, the admin cluster — must stay equal, so a change to a local bootstrap
 * fails here until the compose copy follows. ({@code EnvoyConfigsValidateIT} runs every file
 * through the real {@code envoy --mode validate}.)
 */
class ComposeBootstrapsTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  /** The static clusters that point at Sluice: its ADS and its global rate-limit service. */
  private static final Set<String> CONTROL_PLANE_CLUSTERS =
      Set.of("sluice_xds", "sluice_ratelimit");

  private static final String COMPOSE_HOST = "sluice";
  private static final String LOCAL_HOST = "127.0.0.1";
  private static final String TOKEN_PLACEHOLDER = "REPLACE-WITH-THIS-ENVOYS-PROXY-TOKEN";

  @ParameterizedTest(name = "{0} = {1} but for the control plane address and the node")
  @CsvSource({
    "compose/edge.yaml, edge.yaml",
    "compose/sidecar-web.yaml, sidecar.yaml",
    "compose/sidecar-orders.yaml, sidecar.yaml",
    "compose/sidecar-users.yaml, sidecar.yaml",
  })
  void composeBootstrapEqualsItsLocalCounterpartButForControlPlaneAndNode(
      String compose, String local) throws IOException {
    JsonNode composeTree = read(compose);
    JsonNode localTree = read(local);

    assertThat(controlPlaneAddresses(localTree))
        .as("%s: control plane addresses", local)
        .containsOnly(LOCAL_HOST);
    assertThat(controlPlaneAddresses(composeTree))
        .as("%s: control plane addresses", compose)
        .containsOnly(COMPOSE_HOST);
    for (JsonNode cluster : controlPlaneClusters(composeTree)) {
      assertThat(cluster.path("type").asText())
          .as(
              "%s: cluster %s must resolve %s by DNS",
              compose, cluster.path("name").asText(), COMPOSE_HOST)
          .isIn("STRICT_DNS", "LOGICAL_DNS");
    }
    assertThat(
            controlPlaneClusters(composeTree).stream().map(c -> c.path("name").asText()).toList())
        .as("%s has the same control plane clusters as %s", compose, local)
        .isEqualTo(
            controlPlaneClusters(localTree).stream().map(c -> c.path("name").asText()).toList());

    assertThat(sortedYaml(normalise(composeTree)))
        .as("%s, normalised, differs from %s: change both files together", compose, local)
        .isEqualTo(sortedYaml(normalise(localTree)));
  }

  @Test
  void theEdgeKeepsItsGatewayNode() throws IOException {
    JsonNode compose = read("compose/edge.yaml");
    JsonNode local = read("edge.yaml");
    assertThat(compose.get("node")).isEqualTo(local.get("node"));
  }

  @ParameterizedTest(name = "sidecar-{0}.yaml is the sidecar of {0}")
  @CsvSource({"web", "orders", "users"})
  void eachSidecarBootstrapNamesItsService(String service) throws IOException {
    JsonNode node = read("compose/sidecar-" + service + ".yaml").path("node");
    assertThat(node.at("/metadata/sluice.role").asText()).isEqualTo("sidecar");
    assertThat(node.at("/metadata/sluice.service").asText()).isEqualTo(service);
    assertThat(node.path("cluster").asText()).isEqualTo(service);
    assertThat(node.path("id").asText()).startsWith(service + "-");
  }

  @Test
  void nodeIdsAreUnique() throws IOException {
    Set<String> ids = new HashSet<>();
    List<Path> files = composeBootstraps();
    for (Path f : files) {
      String id = YAML.readTree(f.toFile()).at("/node/id").asText();
      assertThat(ids.add(id))
          .as("node id %s of %s is used by another compose bootstrap", id, f)
          .isTrue();
    }
  }

  /**
   * compose/credentials.sh and scripts/quickstart put each Envoy's token where the placeholder is.
   */
  @ParameterizedTest(name = "{0} has the token placeholder once, as the ADS authorization")
  @CsvSource({
    "edge.yaml",
    "sidecar.yaml",
    "compose/edge.yaml",
    "compose/sidecar-web.yaml",
    "compose/sidecar-orders.yaml",
    "compose/sidecar-users.yaml"
  })
  void theTokenPlaceholderIsTheAdsAuthorization(String file) throws IOException {
    String text = Files.readString(RepoPaths.resolve("envoy-configs/" + file));
    assertThat(text.split(Pattern.quote(TOKEN_PLACEHOLDER), -1))
        .as("%s: occurrences of the placeholder", file)
        .hasSize(2);
    JsonNode metadata =
        read(file).at("/dynamic_resources/ads_config/grpc_services/0/initial_metadata/0");
    assertThat(metadata.path("key").asText()).isEqualTo("authorization");
    assertThat(metadata.path("value").asText()).isEqualTo("Bearer " + TOKEN_PLACEHOLDER);
  }

  @Test
  void everyComposeBootstrapIsCompared() throws IOException {
    assertThat(composeBootstraps().stream().map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder(
            "edge.yaml", "sidecar-web.yaml", "sidecar-orders.yaml", "sidecar-users.yaml");
  }

  private static List<Path> composeBootstraps() throws IOException {
    try (Stream<Path> list = Files.list(RepoPaths.resolve("envoy-configs/compose"))) {
      return list.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static JsonNode read(String relative) throws IOException {
    return YAML.readTree(RepoPaths.resolve("envoy-configs/" + relative).toFile());
  }

  private static List<JsonNode> controlPlaneClusters(JsonNode bootstrap) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode c : bootstrap.at("/static_resources/clusters")) {
      if (CONTROL_PLANE_CLUSTERS.contains(c.path("name").asText())) {
        out.add(c);
      }
    }
    return out;
  }

  private static Set<String> controlPlaneAddresses(JsonNode bootstrap) {
    Set<String> out = new HashSet<>();
    for (JsonNode c : controlPlaneClusters(bootstrap)) {
      c.findValues("socket_address").forEach(a -> out.add(a.path("address").asText()));
    }
    return out;
  }

  /** YAML with every mapping's keys sorted, so that only content differences show. */
  private static String sortedYaml(JsonNode tree) throws IOException {
    Object plain = YAML.convertValue(tree, Object.class);
    return YAML.writer()
        .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .writeValueAsString(plain);
  }

  /**
   * A copy without the node, and with the control plane clusters' type, host and the name their TLS
   * certificate must carry replaced by placeholders; ports and everything else stay.
   */
  private static JsonNode normalise(JsonNode bootstrap) {
    ObjectNode copy = bootstrap.deepCopy();
    copy.remove("node");
    for (JsonNode c : controlPlaneClusters(copy)) {
      ((ObjectNode) c).put("type", "<control plane: STATIC or DNS>");
      c.findValues("socket_address")
          .forEach(a -> ((ObjectNode) a).put("address", "<control plane host>"));
      serverNames(c).forEach(m -> m.put("exact", "<control plane host>"));
    }
    return copy;
  }

  /** The matchers of the name Sluice's certificate must carry, in a control plane cluster's TLS. */
  private static List<ObjectNode> serverNames(JsonNode cluster) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode san :
        cluster.at(
            "/transport_socket/typed_config/common_tls_context/validation_context/match_typed_subject_alt_names")) {
      out.add((ObjectNode) san.get("matcher"));
    }
    return out;
  }

  @ParameterizedTest(name = "{0} verifies Sluice's certificate for the name {1}")
  @CsvSource({
    "edge.yaml, localhost",
    "sidecar.yaml, localhost",
    "compose/edge.yaml, sluice",
    "compose/sidecar-web.yaml, sluice"
  })
  void everyControlPlaneClusterSpeaksTlsVerifiedForTheHostItConnectsTo(String file, String name)
      throws IOException {
    for (JsonNode c : controlPlaneClusters(read(file))) {
      assertThat(serverNames(c).stream().map(m -> m.path("exact").asText()).toList())
          .as("%s: cluster %s verifies the server name", file, c.path("name").asText())
          .containsExactly(name);
      assertThat(
              c.at(
                      "/transport_socket/typed_config/common_tls_context/validation_context/trusted_ca/filename")
                  .asText())
          .as("%s: cluster %s verifies against Sluice's CA bundle", file, c.path("name").asText())
          .isEqualTo("/etc/sluice/xds/ca.pem");
    }
  }
}
