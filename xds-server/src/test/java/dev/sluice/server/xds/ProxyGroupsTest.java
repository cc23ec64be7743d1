package dev.sluice.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyGroupsTest {
  private static Node node(String cluster, Map<String, String> metadata) {
    Struct.Builder m = Struct.newBuilder();
    metadata.forEach((k, v) -> m.putFields(k, Value.newBuilder().setStringValue(v).build()));
    return Node.newBuilder().setId("n1").setCluster(cluster).setMetadata(m).build();
  }

  @Test
  void aGatewayIsNamedByMetadataElseByItsCluster() {
    assertThat(ProxyGroups.group(node("edge", Map.of()))).isEqualTo("edge");
    assertThat(ProxyGroups.group(node("edge", Map.of("sluice.gateway", "public"))))
        .isEqualTo("public");
  }

  @Test
  void aSidecarGetsItsServicesGroup() {
    assertThat(
            ProxyGroups.group(
                node("orders", Map.of("sluice.role", "sidecar", "sluice.service", "orders"))))
        .isEqualTo("sidecar~orders");
    // the role decides, not a gateway name also present
    assertThat(
            ProxyGroups.group(
                node(
                    "x",
                    Map.of(
                        "sluice.role",
                        "sidecar",
                        "sluice.service",
                        "users",
                        "sluice.gateway",
                        "edge"))))
        .isEqualTo("sidecar~users");
  }

  @Test
  void aSidecarWithoutItsServiceGetsNoGatewaysConfig() {
    assertThat(ProxyGroups.group(node("edge", Map.of("sluice.role", "sidecar"))))
        .isEqualTo("sidecar~");
  }
}
