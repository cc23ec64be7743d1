package dev.sluice.server.e2e;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import dev.sluice.server.xds.ProxyGroups;
import dev.sluice.testing.AdsClient;
import dev.sluice.testing.CapturedStderr;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Any xDS client can name itself and send NACK texts; what it says must not forge what operators
 * read. A client connects to the running server over gRPC with a node id, role and node cluster
 * full of newlines, markup and a megabyte each, and NACKs with such an error_detail: Sluice's log
 * has one line for each event, bounded, and /proxies and the status page show bounded, escaped
 * values (docs/operations.md gives the bounds).
 */
class ClientTextIT {
  private static final String MEGABYTE = "x".repeat(1 << 20);

  /** What a forged line would start with: a log line of its own, dated 1999. */
  private static final String FORGED = "1999-01-01T00:00:00.000Z ERROR SluiceServer - FORGED";

  /**
   * Log lines are a timestamp, the level, the logger and the bounded texts (256 + 4,096 chars and
   * markers).
   */
  private static final int LOG_LINE_MAX = 256 + 256 + 4096 + 1024;

  @Test
  void aNodeAndANackFullOfNewlinesAndAMegabyteGiveOneBoundedLogLineAndBoundedEscapedViews()
      throws Exception {
    try (CapturedStderr log = new CapturedStderr();
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"127.0.0.1:9\"]\n");
      sluice.writePolicy("routes.yaml", "kind: Route\nname: users\nto: users\n");
      sluice.start();
      try (AdsClient client = AdsClient.plaintext(sluice.xdsPort)) {
        Node node =
            Node.newBuilder()
                .setId("forged-node\n" + FORGED + "-NODE <script>alert(1)</script>")
                .setCluster("edge")
                .setMetadata(
                    Struct.newBuilder()
                        .putFields(
                            ProxyGroups.ROLE_KEY,
                            Value.newBuilder()
                                .setStringValue("edge\r\n" + FORGED + "-ROLE " + MEGABYTE)
                                .build()))
                .build();
        AdsClient.Sotw stream = client.open(node, CLUSTER_TYPE_URL);
        DiscoveryResponse cds = stream.within(AdsClient.WAIT);
        assertThat(cds).as("the edge group's clusters").isNotNull();
        stream.nack(
            cds,
            Status.newBuilder()
                .setCode(3)
                .setMessage("rejected users\n" + FORGED + "-NACK\u202e " + MEGABYTE));

        // a second client whose node cluster (its group) is the forgery, a third whose node id is:
        // names that long are refused, each with one bounded line and one row of refused proxies
        Node lost =
            Node.newBuilder()
                .setId("lost-node")
                .setCluster("edge\n" + FORGED + "-GROUP " + MEGABYTE)
                .build();
        client.open(lost, CLUSTER_TYPE_URL);
        Node huge =
            Node.newBuilder()
                .setId("huge-node\n" + FORGED + "-HUGE <script>alert(2)</script>" + MEGABYTE)
                .setCluster("edge")
                .build();
        client.open(huge, CLUSTER_TYPE_URL);

        // the NACK's log line is complete once its last words are written
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    log.text().contains("not re-sending")
                        && log.text().contains("(node lost-node)")
                        && log.text().contains("(node huge-node"));
        List<String> lines = log.text().lines().filter(l -> l.contains("FORGED")).toList();
        assertThat(lines)
            .as("lines carrying client text")
            .allSatisfy(
                l ->
                    assertThat(l)
                        .doesNotStartWith("1999-")
                        .matches("^\\d{4}-\\d\\d-\\d\\dT.*")
                        .hasSizeLessThan(LOG_LINE_MAX));
        assertThat(lines.stream().filter(l -> l.contains("-NACK")))
            .singleElement()
            .satisfies(
                l ->
                    assertThat(l)
                        .contains(
                            "NACK: proxy forged-node\\n1999-",
                            "rejected users\\n1999-",
                            "-NACK\\u202e xxx",
                            "more chars)"));
        assertThat(lines.stream().filter(l -> l.contains("connected (group edge,")))
            .singleElement()
            .satisfies(
                l ->
                    assertThat(l)
                        .contains(
                            "proxy forged-node\\n1999-01-01T00:00:00.000Z ERROR SluiceServer - FORGED-NODE"));
        assertThat(lines.stream().filter(l -> l.contains("-GROUP")))
            .singleElement()
            .satisfies(
                l ->
                    assertThat(l)
                        .contains("(node lost-node) claiming gateway edge\\n1999-", "more chars)")
                        .doesNotContain("connected"));
        assertThat(lines.stream().filter(l -> l.contains("-HUGE")))
            .singleElement()
            .satisfies(
                l ->
                    assertThat(l)
                        .contains(
                            "(node huge-node\\n1999-",
                            "more chars)",
                            "the node id is longer than 256 characters"));

        JsonNode proxy = proxy(sluice, "forged-node");
        assertThat(proxy.path("node").asText())
            .startsWith("forged-node\\n1999-")
            .doesNotContain("\n");
        assertBoundedName(proxy.path("role").asText(), "edge\\r\\n1999-");
        String error = proxy.path("nacks").get(0).path("error").asText();
        assertThat(error)
            .startsWith("rejected users\\n1999-")
            .endsWith("more chars)")
            .doesNotContain("\n", "\u202e")
            .hasSizeLessThanOrEqualTo(4096 + "…(1048576 more chars)".length());
        assertThat(proxy.path("types").path("clusters").path("nack").asText()).isEqualTo(error);
        JsonNode refused = sluice.adminJson("/proxies").path("controlChannel").path("refused");
        assertThat(refused).hasSize(2);
        for (JsonNode r : refused) {
          assertThat(r.path("reason").asText()).isEqualTo("invalid_claim");
          assertThat(r.toString())
              .doesNotContain(
                  "\\n1999-01-01T00:00:00.000Z ERROR SluiceServer - FORGED-GROUP "
                      + "x".repeat(300))
              .hasSizeLessThan(2048);
        }
        assertBoundedName(
            refused.findValuesAsText("node").stream()
                .filter(n -> n.startsWith("huge"))
                .findFirst()
                .orElseThrow(),
            "huge-node\\n1999-");

        String page = sluice.admin("/").body();
        assertThat(page)
            .contains(
                "forged-node\\n1999-01-01T00:00:00.000Z ERROR SluiceServer - FORGED-NODE &lt;script&gt;alert(1)&lt;/script&gt;",
                "huge-node\\n1999-01-01T00:00:00.000Z ERROR SluiceServer - FORGED-HUGE &lt;script&gt;alert(2)&lt;/script&gt;xxx",
                "rejected users\\n1999-",
                "more chars)")
            .doesNotContain("<script>", "\n1999-", "\r", "\u202e")
            .hasSizeLessThan(64 * 1024);
        assertThat(sluice.admin("/metrics").body()).doesNotContain("FORGED");
        stream.close();
      }
    }
  }

  private static void assertBoundedName(String value, String start) {
    assertThat(value)
        .startsWith(start)
        .endsWith("more chars)")
        .doesNotContain("\n", "\r")
        .hasSizeLessThanOrEqualTo(256 + "…(1048576 more chars)".length());
  }

  private static JsonNode proxy(SluiceFixture sluice, String nodePrefix) {
    for (JsonNode p : sluice.adminJson("/proxies").path("proxies")) {
      if (p.path("node").asText().startsWith(nodePrefix)) {
        return p;
      }
    }
    throw new AssertionError("no proxy " + nodePrefix + " at /proxies");
  }
}
