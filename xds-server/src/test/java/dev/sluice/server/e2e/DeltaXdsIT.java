package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same server speaks incremental (delta) ADS: routing, live edits and NACK handling. */
class DeltaXdsIT {
  @RegisterExtension
  final EnvoyExtension envoys = new EnvoyExtension();

  private EnvoyProcess startDeltaEnvoy(int adsPort) throws Exception {
    String edge = Files.readString(EnvoyExtension.edgeBootstrap());
    assertThat(edge).contains("api_type: GRPC");
    Path delta = Files.createTempFile("edge-delta", ".yaml");
    Files.writeString(delta, edge.replace("api_type: GRPC", "api_type: DELTA_GRPC"));
    return envoys.start(delta, EnvoyProcess.Options.ads(adsPort)).awaitReady(java.time.Duration.ofSeconds(20));
  }

  @Test
  void deltaEnvoyRoutesFollowsEditsAndIsNotSentARejectedConfigAgain() throws Exception {
    AtomicBoolean poison = new AtomicBoolean(false);
    try (HttpUpstream users = HttpUpstream.start("users");
        HttpUpstream usersV2 = HttpUpstream.start("users-v2");
        SluiceFixture sluice = new SluiceFixture().hook(r -> poison.get() ? InvalidResources.withInvalidCluster(r) : r)) {
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + users.port() + "\"]\n");
      String routes = "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n";
      sluice.writePolicy("routes.yaml", routes);
      sluice.start();
      EnvoyProcess envoy = startDeltaEnvoy(sluice.xdsPort);
      assertThat(sluice.answer("/users")).isEqualTo("users");
      assertThat(envoy.stat("cluster_manager.cds.update_success")).isPresent();

      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + usersV2.port() + "\"]\n");
      await().atMost(java.time.Duration.ofSeconds(1)).until(() -> sluice.answer("/users").equals("users-v2"));

      long pushes = sluice.server().metrics().get("sluice_xds_pushes_total", "type", "Cluster");
      poison.set(true);
      sluice.writePolicy("routes.yaml", routes + "# touched\n");
      await().atMost(java.time.Duration.ofSeconds(5))
          .until(() -> sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Cluster") == 1);
      Thread.sleep(3000);
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Cluster")).isEqualTo(1);
      assertThat(sluice.server().metrics().get("sluice_xds_pushes_total", "type", "Cluster")).isEqualTo(pushes + 1);
      assertThat(sluice.answer("/users")).isEqualTo("users-v2");
    }
  }

}
