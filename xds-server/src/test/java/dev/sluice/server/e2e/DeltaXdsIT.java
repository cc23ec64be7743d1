package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same server speaks incremental (delta) ADS: routing, live edits, NACK handling and
 * reconnects.
 */
class DeltaXdsIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private EnvoyProcess startDeltaEnvoy(int adsPort) throws Exception {
    String edge = Files.readString(EnvoyExtension.edgeBootstrap());
    assertThat(edge).contains("api_type: GRPC");
    Path delta = Files.createTempFile("edge-delta", ".yaml");
    Files.writeString(delta, edge.replace("api_type: GRPC", "api_type: DELTA_GRPC"));
    return envoys
        .start(delta, EnvoyProcess.Options.ads(adsPort))
        .awaitReady(Duration.ofSeconds(20));
  }

  @Test
  void deltaEnvoyRoutesFollowsEditsAndIsNotSentARejectedConfigAgain() throws Exception {
    AtomicBoolean poison = new AtomicBoolean(false);
    try (HttpUpstream users = HttpUpstream.start("users");
        HttpUpstream usersV2 = HttpUpstream.start("users-v2");
        SluiceFixture sluice =
            new SluiceFixture()
                .hook(r -> poison.get() ? InvalidResources.withInvalidCluster(r) : r)) {
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + users.port() + "\"]\n");
      String routes = "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n";
      sluice.writePolicy("routes.yaml", routes);
      sluice.start();
      EnvoyProcess envoy = startDeltaEnvoy(sluice.xdsPort);
      assertThat(sluice.answer("/users")).isEqualTo("users");
      assertThat(envoy.stat("cluster_manager.cds.update_success")).isPresent();

      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + usersV2.port() + "\"]\n");
      await().atMost(Duration.ofSeconds(1)).until(() -> sluice.answer("/users").equals("users-v2"));

      long pushes = sluice.server().metrics().get("sluice_xds_pushes_total", "type", "Cluster");
      poison.set(true);
      sluice.writePolicy("routes.yaml", routes + "# touched\n");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Cluster") == 1);
      Thread.sleep(3000);
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Cluster"))
          .isEqualTo(1);
      assertThat(sluice.server().metrics().get("sluice_xds_pushes_total", "type", "Cluster"))
          .isEqualTo(pushes + 1);
      assertThat(sluice.answer("/users")).isEqualTo("users-v2");
    }
  }

  /**
   * java-control-plane ignores the {@code initial_resource_versions} a reconnecting delta client
   * sends (upstream issue #463): a cluster removed while the control plane was down stayed in Envoy
   * for good, and everything else was sent again.
   */
  @Test
  void aDeltaEnvoyReconnectingToARestartedSluiceDropsWhatWasRemovedMeanwhileAndIsNotSentWhatItHas()
      throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      String usersRoute = "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n";
      sluice.writeRegistry(
          "services:\n  users: [\"127.0.0.1:"
              + users.port()
              + "\"]\n  orders: [\"127.0.0.1:"
              + orders.port()
              + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          usersRoute + "---\nkind: Route\nname: orders\nmatch: {prefix: /orders}\nto: orders\n");
      sluice.start();
      EnvoyProcess envoy = startDeltaEnvoy(sluice.xdsPort);
      await().atMost(Duration.ofSeconds(5)).until(() -> sluice.answer("/orders").equals("orders"));
      assertThat(sluice.answer("/users")).isEqualTo("users");
      assertThat(clusters(envoy)).contains("users", "orders");
      long usersEndpointUpdates = envoy.stat("cluster.users.update_success").orElseThrow();
      long listenerUpdates = envoy.stat("listener_manager.lds.update_success").orElseThrow();
      long clusterUpdates = envoy.stat("cluster_manager.cds.update_success").orElseThrow();
      String usersCluster = cluster(envoy, "users").toString();

      sluice.stop();
      // while Sluice is down: the orders service and its route go away
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + users.port() + "\"]\n");
      sluice.writePolicy("routes.yaml", usersRoute);
      sluice.start();

      await().atMost(Duration.ofSeconds(15)).until(() -> !clusters(envoy).contains("orders"));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> sluice.answer("/orders").equals("HTTP 404"));
      assertThat(sluice.answer("/users")).isEqualTo("users");
      assertThat(envoy.log())
          .as("what the reconnected stream got for CDS")
          .contains("cds: response indicates 0 added/updated cluster(s), 1 removed cluster(s)");
      assertThat(envoy.stat("cluster_manager.cds.update_success")).hasValue(clusterUpdates + 1);
      // unchanged resources are not sent again: users' endpoints and the listener did not arrive
      // anew
      Thread.sleep(1000);
      assertThat(envoy.stat("cluster.users.update_success"))
          .as("EDS updates of users")
          .hasValue(usersEndpointUpdates);
      assertThat(envoy.stat("listener_manager.lds.update_success"))
          .as("LDS updates")
          .hasValue(listenerUpdates);
      assertThat(cluster(envoy, "users").toString())
          .as("users as Envoy has it, last_updated included")
          .isEqualTo(usersCluster);
      assertThat(sluice.server().metrics().get("sluice_xds_pushes_total", "type", "Listener"))
          .isZero();
      assertThat(sluice.server().metrics().get("sluice_xds_pushes_total", "type", "Cluster"))
          .isEqualTo(1);
    }
  }

  /** The names of the clusters Envoy got over CDS. */
  private static List<String> clusters(EnvoyProcess envoy) {
    List<String> names = new ArrayList<>();
    dynamicClusters(envoy).forEach(c -> names.add(c.path("cluster").path("name").asText()));
    return names;
  }

  private static JsonNode cluster(EnvoyProcess envoy, String name) {
    for (JsonNode c : dynamicClusters(envoy)) {
      if (c.path("cluster").path("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("Envoy has no cluster " + name);
  }

  private static JsonNode dynamicClusters(EnvoyProcess envoy) {
    for (JsonNode config : envoy.configDump().path("configs")) {
      if (config.path("@type").asText().endsWith("ClustersConfigDump")) {
        return config.path("dynamic_active_clusters");
      }
    }
    return MissingNode.getInstance();
  }
}
