package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EnvoyProcessRewriteTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void rewritesAdsPortAdminAndNode() throws Exception {
    Path edge = RepoPaths.resolve("envoy-configs/edge.yaml");
    JsonNode out =
        EnvoyProcess.rewrite(
            YAML.readTree(edge.toFile()),
            EnvoyProcess.Options.ads(12345).node("n-1", "blue"),
            edge);

    assertThat(out.at("/node/id").asText()).isEqualTo("n-1");
    assertThat(out.at("/node/cluster").asText()).isEqualTo("blue");
    assertThat(out.at("/admin/address/socket_address/port_value").asInt()).isZero();
    assertThat(out.at("/static_resources/clusters/0/name").asText()).isEqualTo("sluice_xds");
    assertThat(
            out.at(
                    "/static_resources/clusters/0/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/port_value")
                .asInt())
        .isEqualTo(12345);
    // everything else is kept
    assertThat(out.at("/overload_manager/resource_monitors").size()).isEqualTo(2);
  }

  @Test
  void theAdminClusterFollowsTheAdminPort() throws Exception {
    Path edge = RepoPaths.resolve("envoy-configs/edge.yaml");
    JsonNode out =
        EnvoyProcess.rewrite(
            YAML.readTree(edge.toFile()), EnvoyProcess.Options.ads(1).adminPort(23456), edge);
    assertThat(out.at("/admin/address/socket_address/port_value").asInt()).isEqualTo(23456);
    JsonNode admin = null;
    for (JsonNode c : out.at("/static_resources/clusters")) {
      if (EnvoyProcess.ADMIN_CLUSTER.equals(c.path("name").asText())) {
        admin = c;
      }
    }
    assertThat(admin)
        .as("edge.yaml has the static cluster %s", EnvoyProcess.ADMIN_CLUSTER)
        .isNotNull();
    assertThat(
            admin
                .at(
                    "/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/port_value")
                .asInt())
        .isEqualTo(23456);
  }

  @Test
  void keepsTheBootstrapNodeByDefault() throws Exception {
    Path edge = RepoPaths.resolve("envoy-configs/edge.yaml");
    JsonNode out =
        EnvoyProcess.rewrite(YAML.readTree(edge.toFile()), EnvoyProcess.Options.ads(1), edge);
    assertThat(out.at("/node/id").asText()).isEqualTo("edge-1");
    assertThat(out.at("/node/cluster").asText()).isEqualTo("edge");
  }

  @Test
  void bootstrapWithoutXdsClusterIsRejected() throws Exception {
    JsonNode config =
        YAML.readTree("node: {id: a, cluster: b}\nstatic_resources: {clusters: [{name: other}]}\n");
    assertThatThrownBy(
            () -> EnvoyProcess.rewrite(config, EnvoyProcess.Options.ads(1), Path.of("x.yaml")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no static cluster named sluice_xds");
  }
}
