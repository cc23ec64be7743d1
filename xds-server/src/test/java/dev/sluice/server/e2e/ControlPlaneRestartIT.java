package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Restarting the control plane never disturbs traffic: Envoy keeps its config and reconnects. */
class ControlPlaneRestartIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void envoyKeepsServingDuringARestartThenReconnectsAndConverges() throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        HttpUpstream usersV2 = HttpUpstream.start("users-v2");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + users.port() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml", "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      TrafficLoop traffic = new TrafficLoop(() -> sluice.answer("/users"), "users");
      Thread.sleep(300);
      sluice.stop();
      Thread.sleep(2000); // the control plane is down; Envoy serves on
      sluice.start();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> sluice.status().get("proxies").size() == 1);
      Thread.sleep(500);
      traffic.close();
      assertThat(traffic.sent()).isGreaterThan(100);
      assertThat(traffic.failures()).as("failed requests during the restart").isEmpty();

      // Same content, same versions: the restarted server has nothing to resend.
      assertThat(sluice.server().metrics().get("sluice_xds_pushes_total", "type", "Listener"))
          .isZero();
      assertThat(sluice.server().metrics().get("sluice_xds_pushes_total", "type", "Cluster"))
          .isZero();

      // ... and it drives the proxy: a change made after the restart reaches Envoy.
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + usersV2.port() + "\"]\n");
      await().atMost(Duration.ofSeconds(2)).until(() -> sluice.answer("/users").equals("users-v2"));
    }
  }
}
