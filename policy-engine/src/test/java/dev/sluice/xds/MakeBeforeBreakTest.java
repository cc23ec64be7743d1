package dev.sluice.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.xds.MakeBeforeBreak.Await;
import dev.sluice.xds.MakeBeforeBreak.Stage;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MakeBeforeBreakTest {
  private static XdsResources config(String routeVersion, String... clusters) {
    return new XdsResources(
        List.of(),
        List.of(
            RouteConfiguration.newBuilder()
                .setName("http-8080")
                .addInternalOnlyHeaders(routeVersion)
                .build()),
        Arrays.stream(clusters).map(c -> Cluster.newBuilder().setName(c).build()).toList(),
        Arrays.stream(clusters)
            .map(c -> ClusterLoadAssignment.newBuilder().setClusterName(c).build())
            .toList(),
        List.of(),
        Map.of());
  }

  private static List<String> clusters(Stage s) {
    return s.resources().clusters().stream().map(Cluster::getName).toList();
  }

  @Test
  void firstPublishIsOneStage() {
    XdsResources next = config("v1", "a");
    assertThat(MakeBeforeBreak.stages(null, next)).containsExactly(new Stage(next, Await.NOTHING));
  }

  @Test
  void newClustersGoOutWithTheOldRoutesFirst() {
    XdsResources prev = config("v1", "a");
    XdsResources next = config("v2", "a", "b");
    List<Stage> stages = MakeBeforeBreak.stages(prev, next);
    assertThat(stages).hasSize(2);
    assertThat(clusters(stages.get(0))).containsExactly("a", "b");
    assertThat(stages.get(0).resources().routes()).isEqualTo(prev.routes());
    assertThat(stages.get(0).await()).isEqualTo(Await.CLUSTERS_AND_ENDPOINTS);
    assertThat(stages.get(1).resources()).isEqualTo(next);
  }

  @Test
  void removedClustersGoOnlyAfterTheNewRoutes() {
    XdsResources prev = config("v1", "a", "b");
    XdsResources next = config("v2", "a");
    List<Stage> stages = MakeBeforeBreak.stages(prev, next);
    assertThat(stages).hasSize(2);
    assertThat(stages.get(0).resources().routes()).isEqualTo(next.routes());
    assertThat(clusters(stages.get(0))).containsExactly("a", "b");
    assertThat(stages.get(0).resources().endpoints()).hasSize(2);
    assertThat(stages.get(0).await()).isEqualTo(Await.LISTENERS_AND_ROUTES);
    assertThat(stages.get(1).resources()).isEqualTo(next);
  }

  @Test
  void replacingAClusterAddsFirstThenMovesRoutesThenRemoves() {
    List<Stage> stages = MakeBeforeBreak.stages(config("v1", "a"), config("v2", "b"));
    assertThat(stages).hasSize(3);
    assertThat(clusters(stages.get(0))).containsExactlyInAnyOrder("a", "b");
    assertThat(stages.get(0).resources().routes().get(0).getInternalOnlyHeaders(0)).isEqualTo("v1");
    assertThat(clusters(stages.get(1))).containsExactlyInAnyOrder("a", "b");
    assertThat(stages.get(1).resources().routes().get(0).getInternalOnlyHeaders(0)).isEqualTo("v2");
    assertThat(clusters(stages.get(2))).containsExactly("b");
  }

  @Test
  void unchangedClusterSetIsOneStage() {
    assertThat(MakeBeforeBreak.stages(config("v1", "a"), config("v2", "a"))).hasSize(1);
  }

  @Test
  void secretsTakeTheirNewVersionAtOnceAndOldOnesStayUntilTheLastStage() {
    Secret oldCert =
        Secret.newBuilder()
            .setName("http-8443-cert")
            .setTlsCertificate(
                TlsCertificate.newBuilder()
                    .setCertificateChain(DataSource.newBuilder().setInlineString("old")))
            .build();
    Secret newCert =
        oldCert.toBuilder()
            .setTlsCertificate(
                TlsCertificate.newBuilder()
                    .setCertificateChain(DataSource.newBuilder().setInlineString("new")))
            .build();
    Secret ca = Secret.newBuilder().setName("http-8443-client-ca").build();
    XdsResources prev = withSecrets(config("v1", "a"), oldCert, ca);
    XdsResources next = withSecrets(config("v2", "b"), newCert);

    List<Stage> stages = MakeBeforeBreak.stages(prev, next);

    assertThat(stages).hasSize(3);
    assertThat(stages.get(0).resources().secrets()).containsExactly(newCert, ca);
    assertThat(stages.get(1).resources().secrets()).containsExactly(newCert, ca);
    assertThat(stages.get(2).resources().secrets()).containsExactly(newCert);
  }

  private static XdsResources withSecrets(XdsResources r, Secret... secrets) {
    return new XdsResources(
        r.listeners(), r.routes(), r.clusters(), r.endpoints(), List.of(secrets), r.origins());
  }
}
