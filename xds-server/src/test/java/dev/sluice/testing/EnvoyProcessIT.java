package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** EnvoyProcess against the real Envoy binary, without a control plane. */
class EnvoyProcessIT {
  @RegisterExtension final EnvoyExtension envoy = new EnvoyExtension();

  @TempDir Path tmp;

  @Test
  void edgeWithoutControlPlaneIsLiveButNotReady() {
    int adsPort = FreePorts.next(); // nothing listens there
    EnvoyProcess edge =
        envoy.start(
            EnvoyExtension.edgeBootstrap(), EnvoyProcess.Options.ads(adsPort).nodeId("it-edge-1"));

    edge.awaitLive(Duration.ofSeconds(30));
    assertThat(edge.adminPort()).isPositive().isNotEqualTo(9901);

    // No xDS server: the initial CDS/LDS never completes, so /ready stays non-200.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> edge.admin("/ready").statusCode() != 200);
    assertThat(edge.admin("/ready").body()).containsAnyOf("INITIALIZING", "PRE_INITIALIZING");

    JsonNode bootstrap = bootstrapDump(edge.configDump());
    assertThat(bootstrap.at("/node/id").asText()).isEqualTo("it-edge-1");
    assertThat(bootstrap.at("/node/cluster").asText()).isEqualTo("edge");
    assertThat(edge.nodeCluster()).isEqualTo("edge");
    assertThat(
            bootstrap
                .at(
                    "/static_resources/clusters/0/load_assignment/endpoints/0/lb_endpoints/0"
                        + "/endpoint/address/socket_address/port_value")
                .asInt())
        .isEqualTo(adsPort);

    // The ADS connection is down, and Envoy says so.
    assertThat(edge.stat("control_plane.connected_state")).hasValue(0);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> edge.stat("cluster.sluice_xds.upstream_cx_connect_fail").orElse(0) > 0);
    assertThat(edge.stat("no.such.stat")).isEmpty();
    assertThat(edge.log()).contains("starting main dispatch loop");
  }

  @Test
  void closeLeavesNoProcess() {
    EnvoyProcess edge = envoy.startEdge(FreePorts.next());
    long pid = edge.pid();
    assertThat(ProcessHandle.of(pid)).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());

    edge.close();

    assertThat(edge.isAlive()).isFalse();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(edge.log()).as("log survives close()").isNotEmpty();
    edge.close(); // idempotent
  }

  @Test
  void staticBootstrapBecomesReady() throws Exception {
    Path bootstrap = resource("envoy/static-only.yaml");
    EnvoyProcess p = envoy.start(bootstrap, EnvoyProcess.Options.ads(FreePorts.next()));
    p.awaitReady(Duration.ofSeconds(30));
    assertThat(p.admin("/ready").body().trim()).isEqualTo("LIVE");
    assertThat(p.nodeId()).isEqualTo("static-1");
  }

  @Test
  void twoEnvoysRunSideBySide() {
    EnvoyProcess a =
        envoy.start(
            EnvoyExtension.edgeBootstrap(),
            EnvoyProcess.Options.ads(FreePorts.next()).node("a", "edge"));
    EnvoyProcess b =
        envoy.start(
            EnvoyExtension.edgeBootstrap(),
            EnvoyProcess.Options.ads(FreePorts.next()).node("b", "edge"));
    a.awaitLive(Duration.ofSeconds(30));
    b.awaitLive(Duration.ofSeconds(30));
    assertThat(a.adminPort()).isNotEqualTo(b.adminPort());
    assertThat(envoy.processes()).containsExactly(a, b);
    assertThat(bootstrapDump(b.configDump()).at("/node/id").asText()).isEqualTo("b");
  }

  @Test
  void aHotRestartHandsOverToTheNextEpochAndTheOldProcessExits() {
    Path bootstrap = resource("envoy/static-only.yaml");
    EnvoyProcess.Options options =
        EnvoyProcess.Options.ads(FreePorts.next())
            .adminPort(FreePorts.next())
            .enableHotRestart()
            .extraArgs("--drain-time-s", "1", "--parent-shutdown-time-s", "2");
    EnvoyProcess first = envoy.start(bootstrap, options).awaitReady(Duration.ofSeconds(30));

    EnvoyProcess second = envoy.hotRestart(first, options).awaitReady(Duration.ofSeconds(30));

    // the old process gave its admin port up to the new one, which runs the next epoch
    assertThat(second.adminPort()).isEqualTo(first.adminPort());
    JsonNode secondOptions = second.json("/server_info").path("command_line_options");
    assertThat(secondOptions.path("restart_epoch").asInt()).isEqualTo(1);
    assertThat(second.restartEpoch()).isEqualTo(1);
    // the base id Envoy picked for the first epoch, given to the second (a string in Envoy's JSON)
    long baseId = Long.parseLong(secondOptions.path("base_id").asText());
    Path sharedMemory = Path.of("/dev/shm", "envoy_shared_memory_" + baseId * 10);
    assertThat(sharedMemory).exists();
    assertThat(first.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(first.log()).contains("shutting down admin due to child startup");
    assertThat(sharedMemory).as("in use by the new epoch").exists();

    first.close();
    second.close();
    assertThat(sharedMemory).as("removed with the last process").doesNotExist();
  }

  @Test
  void hotRestartNeedsAProcessStartedForIt() {
    EnvoyProcess p =
        envoy.start(resource("envoy/static-only.yaml"), EnvoyProcess.Options.ads(FreePorts.next()));
    assertThatThrownBy(() -> p.hotRestart(EnvoyProcess.Options.ads(FreePorts.next())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Options.enableHotRestart()");
  }

  @Test
  void invalidBootstrapFailsWithEnvoysError() throws Exception {
    Path bad =
        Files.writeString(
            tmp.resolve("bad.yaml"),
            """
        node: {id: x, cluster: y}
        no_such_field: 1
        static_resources:
          clusters:
          - name: sluice_xds
            type: STATIC
            load_assignment:
              cluster_name: sluice_xds
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 1}}}}]}]
        """);
    assertThatThrownBy(() -> envoy.start(bad, EnvoyProcess.Options.ads(FreePorts.next())))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Envoy exited with code")
        .hasMessageContaining("no_such_field");
    assertThat(envoy.processes()).isEmpty();
  }

  static JsonNode bootstrapDump(JsonNode configDump) {
    for (JsonNode c : configDump.path("configs")) {
      if (c.path("@type").asText().endsWith("BootstrapConfigDump")) {
        return c.path("bootstrap");
      }
    }
    throw new AssertionError("no BootstrapConfigDump in " + configDump);
  }

  private static Path resource(String name) {
    try {
      return Path.of(EnvoyProcessIT.class.getClassLoader().getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
