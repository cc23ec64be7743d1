package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.auth.ControlPlaneTls;
import dev.sluice.server.auth.Decision;
import dev.sluice.server.auth.SecurityOptions;
import dev.sluice.testing.AdsClient;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rotating the edge's proxy token as docs/security.md says, while requests flow through the edge:
 * the new token added beside the old one, the edge Envoy hot-restarted with a bootstrap holding the
 * new token, the old token removed once its process is gone. No request fails, the new process is
 * admitted with the new token, and the old token opens nothing any more.
 */
class ProxyTokenRotationIT {
  static final String OLD_TOKEN = "edge-token-old-0123456789";
  static final String NEW_TOKEN = "edge-token-new-0123456789";
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Pattern TWO_TOKENS =
      Pattern.compile("(?m)^sluice_proxy_tokens(\\{[^}]*\\})? 2(\\.0)?$");

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void rotatingTheEdgesTokenFailsNoRequestAndRetiresTheOldToken() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      Path tokens = sluice.dir.resolve("proxy-tokens.yaml");
      sluice.write(tokens, tokenFile(true, false));
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml", "kind: Route\nname: orders\nmatch: {prefix: /orders}\nto: orders\n");
      Path tlsDir = sluice.dir.resolve("xds-tls");
      sluice
          .security(
              SecurityOptions.none()
                  .withTls(
                      ControlPlaneTls.Options.builtIn(
                          tlsDir, ControlPlaneTls.Options.defaultNames()))
                  .withProxyTokens(tokens))
          .start();
      await("Sluice ready").atMost(WAIT).until(() -> sluice.admin("/ready").statusCode() == 200);
      Path ca = tlsDir.resolve("ca.pem");
      // short drain and parent shutdown: Envoy's defaults keep the old process for 15 minutes
      EnvoyProcess.Options edge =
          EnvoyProcess.Options.ads(sluice.xdsPort)
              .node("edge-1", "edge")
              .enableHotRestart()
              .extraArgs("--drain-time-s", "2", "--parent-shutdown-time-s", "6");
      EnvoyProcess old =
          envoys.start(EnvoyExtension.edgeBootstrap(), edge.secure(ca, OLD_TOKEN)).awaitReady(WAIT);
      await("the edge in sync")
          .atMost(WAIT)
          .until(
              () ->
                  edgeStreams(sluice).size() == 1
                      && edgeStreams(sluice).get(0).path("inSync").asBoolean());
      long oldStream = edgeStreams(sluice).get(0).path("stream").asLong();

      try (TrafficLoop traffic = new TrafficLoop(() -> sluice.answer("/orders"), "orders")) {
        awaitMore(traffic, 50);

        // 1. the new token beside the old one: both valid
        sluice.write(tokens, tokenFile(true, true));
        await("both tokens loaded")
            .atMost(WAIT)
            .until(() -> TWO_TOKENS.matcher(sluice.admin("/metrics").body()).find());

        // 2. the next epoch of the edge, from a bootstrap with the new token, takes over the
        // listening sockets; the old process drains and exits
        EnvoyProcess next = envoys.hotRestart(old, edge.secure(ca, NEW_TOKEN)).awaitReady(WAIT);
        assertThat(old.awaitExit(WAIT)).as("the old edge's exit code").isZero();
        await("only the new edge process connected, and in sync")
            .atMost(WAIT)
            .until(
                () -> {
                  List<JsonNode> s = edgeStreams(sluice);
                  return s.size() == 1
                      && s.get(0).path("stream").asLong() != oldStream
                      && s.get(0).path("inSync").asBoolean();
                });
        long newStream = edgeStreams(sluice).get(0).path("stream").asLong();
        awaitMore(traffic, 50); // served by the new process alone

        // 3. the old token removed. A client still holding it has its stream ended; that it was
        // ended says the removal was applied and every admitted stream checked again
        try (AdsClient client = AdsClient.tls(sluice.xdsPort, ca, OLD_TOKEN)) {
          AdsClient.Sotw holder = client.gateway("old-token-holder", "edge");
          holder.next();
          sluice.write(tokens, tokenFile(false, true));
          Status ended = holder.awaitEnd();
          assertThat(ended.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(ended.getDescription()).startsWith("credential withdrawn: ");
        }
        awaitMore(traffic, 50);

        traffic.close();
        assertThat(traffic.failures())
            .as("failed requests through the edge during the rotation")
            .isEmpty();
        // the new process kept the stream it opened with the new token, and is in sync
        List<JsonNode> streams = edgeStreams(sluice);
        assertThat(streams).hasSize(1);
        assertThat(streams.get(0).path("stream").asLong()).isEqualTo(newStream);
        assertThat(streams.get(0).path("inSync").asBoolean()).isTrue();
        assertThat(streams.get(0).path("credential").asText())
            .as("the token that admitted it")
            .isEqualTo("edge-2026-12");
        assertThat(next.stat("control_plane.connected_state")).hasValue(1);
      }
      // the only refusal is the old-token holder's: no Envoy of the edge was ever refused
      JsonNode refused = sluice.adminJson("/proxies").path("controlChannel").path("refused");
      assertThat(refused).as("refusals at /proxies").hasSize(1);
      assertThat(refused.get(0).path("node").asText()).isEqualTo("old-token-holder");
      assertThat(
              sluice
                  .server()
                  .metrics()
                  .get("sluice_xds_denied_total", "reason", Decision.UNKNOWN_CREDENTIAL))
          .isEqualTo(1);

      // the old token now opens nothing
      try (AdsClient client = AdsClient.tls(sluice.xdsPort, ca, OLD_TOKEN)) {
        Status s = client.gateway("edge-1", "edge").awaitRefusal();
        assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(s.getDescription()).contains("not one of the proxy tokens");
      }
    }
  }

  static String tokenFile(boolean withOld, boolean withNew) {
    return "tokens:\n"
        + (withOld
            ? "  - {name: edge-2026-11, hash: \""
                + ControlChannelSecurityIT.hash(OLD_TOKEN)
                + "\", gateways: [edge]}\n"
            : "")
        + (withNew
            ? "  - {name: edge-2026-12, hash: \""
                + ControlChannelSecurityIT.hash(NEW_TOKEN)
                + "\", gateways: [edge]}\n"
            : "");
  }

  /** The streams of node edge-1 that Sluice lists at /proxies. */
  static List<JsonNode> edgeStreams(SluiceFixture sluice) {
    List<JsonNode> streams = new ArrayList<>();
    for (JsonNode p : sluice.adminJson("/proxies").path("proxies")) {
      if ("edge-1".equals(p.path("node").asText())) {
        streams.add(p);
      }
    }
    return streams;
  }

  /** Waits until the loop has sent {@code n} more requests than now. */
  static void awaitMore(TrafficLoop traffic, int n) {
    int from = traffic.sent();
    await(n + " more requests through the edge")
        .atMost(WAIT)
        .until(() -> traffic.sent() >= from + n);
  }
}
