package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness itself, on a small catalog: what the benchmark times is what the server builds. */
class OneEndpointChurnTest {
  @Test
  void syntheticConfigBuildsOneClusterAndOneEndpointResourcePerService() {
    ResourceVersions edge = new ServerRebuild().rebuild(SyntheticConfig.of(20)).get("edge");

    assertThat(edge.byType().get("Cluster")).hasSize(20);
    assertThat(edge.byType().get("ClusterLoadAssignment")).hasSize(20);
    assertThat(edge.byType().get("Listener")).hasSize(1);
    assertThat(edge.byType().get("RouteConfiguration")).hasSize(1);
  }

  @Test
  void oneEndpointChangeGivesOnlyThatServicesEndpointResourceANewVersion() {
    Map<String, Integer> changed = OneEndpointChurn.changed(SyntheticConfig.of(20));

    assertThat(changed)
        .containsEntry("Listener", 0)
        .containsEntry("RouteConfiguration", 0)
        .containsEntry("Cluster", 0)
        .containsEntry("ClusterLoadAssignment", 1)
        .containsEntry("Secret", 0);
  }
}
