package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A resource that Envoy genuinely rejects — injected through a pipeline step of the test's own
 * (TestServers), standing in for a translator bug — is NACKed once, recorded against the proxy, not
 * re-sent in a loop, and the proxy keeps serving its last good config.
 */
class NackIT {
  private static final String CDS = "Cluster";

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void rejectedConfigIsRecordedOnceNotResentAndTheProxyKeepsItsLastGoodConfig() throws Exception {
    AtomicBoolean poison = new AtomicBoolean(false);
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice =
            new SluiceFixture()
                .hook(r -> poison.get() ? InvalidResources.withInvalidCluster(r) : r)) {
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:" + users.port() + "\"]\n");
      String routes = "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n";
      sluice.writePolicy("routes.yaml", routes);
      sluice.start();
      EnvoyProcess envoy = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      assertThat(sluice.answer("/users")).isEqualTo("users");
      long pushesBefore = pushes(sluice);

      poison.set(true);
      sluice.writePolicy("routes.yaml", routes + "# touched to trigger a rebuild\n");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> sluice.server().metrics().get("sluice_xds_nacks_total", "type", CDS) == 1);

      // Give a NACK loop time to show itself: Envoy answers a re-send within milliseconds.
      Thread.sleep(3000);
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", CDS)).isEqualTo(1);
      assertThat(pushes(sluice)).as("CDS pushes after the NACK").isEqualTo(pushesBefore + 1);
      assertThat(envoy.stat("cluster_manager.cds.update_rejected")).hasValue(1);

      JsonNode cds = proxyType(sluice, "clusters");
      assertThat(cds.get("nacks").asLong()).isEqualTo(1);
      assertThat(cds.get("rejected").asText()).isEqualTo(cds.get("sent").asText());
      assertThat(cds.get("nack").asText()).contains("Invalid duration");

      // the proxy keeps its last good config and keeps serving
      assertThat(envoy.configDump().toString()).doesNotContain("\"poison\"");
      assertThat(sluice.answer("/users")).isEqualTo("users");

      // a fixed config is sent again and accepted
      poison.set(false);
      sluice.writePolicy("routes.yaml", routes + "# fixed\n");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> proxyType(sluice, "clusters").get("rejected").isNull());
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", CDS)).isEqualTo(1);
      assertThat(sluice.answer("/users")).isEqualTo("users");
    }
  }

  private static long pushes(SluiceFixture sluice) {
    return sluice.server().metrics().get("sluice_xds_pushes_total", "type", CDS);
  }

  private static JsonNode proxyType(SluiceFixture sluice, String type) {
    return sluice.status().get("proxies").get(0).get("types").get(type);
  }
}
