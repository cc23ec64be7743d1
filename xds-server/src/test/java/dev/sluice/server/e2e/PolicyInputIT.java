package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile policy input through {@code sluice serve} and a real Envoy: the input is refused with its
 * position, counted and shown by {@code /policies}, the last good config keeps serving, and the
 * next ordinary change still reaches Envoy.
 */
class PolicyInputIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private HttpUpstream users;
  private HttpUpstream orders;
  private SluiceFixture sluice;

  @BeforeEach
  void start() {
    users = HttpUpstream.start("users");
    orders = HttpUpstream.start("orders");
    sluice = new SluiceFixture();
    sluice.writeRegistry(
        "services:\n"
            + "  users: [\"127.0.0.1:"
            + users.port()
            + "\"]\n"
            + "  orders: [\"127.0.0.1:"
            + orders.port()
            + "\"]\n");
    sluice.writePolicy(
        "routes.yaml", "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
    sluice.start();
    envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
    await().atMost(Duration.ofSeconds(10)).until(() -> sluice.answer("/users").equals("users"));
  }

  @AfterEach
  void stop() {
    sluice.close();
    users.close();
    orders.close();
  }

  private double rejected() {
    return sluice.server().metrics().get("sluice_config_rejected_total", "source", "policies");
  }

  /** The last good config still serves, and an ordinary change after the bad one reaches Envoy. */
  private void lastGoodServesAndTheNextChangeIsApplied() {
    assertThat(sluice.answer("/users")).isEqualTo("users");
    sluice.writePolicy(
        "bad.yaml", "kind: Route\nname: orders\nmatch: {prefix: /orders}\nto: orders\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> sluice.answer("/orders").equals("orders"));
    assertThat(sluice.adminJson("/policies").path("lastLoad").asText()).isEqualTo("accepted");
    assertThat(sluice.answer("/users")).isEqualTo("users");
  }

  @Test
  void aRegexRepeatCountAboveRe2sLimitIsRefusedWithItsPositionAndCounted() {
    assertThat(rejected()).isZero();
    sluice.writePolicy(
        "bad.yaml", "kind: Route\nname: huge\nmatch:\n  regex: \"^/a{1001}\"\nto: orders\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> sluice.adminJson("/policies").path("lastLoad").asText().equals("rejected"));
    JsonNode policies = sluice.adminJson("/policies");
    JsonNode huge = null;
    for (JsonNode p : policies.path("policies")) {
      if (p.path("resource").asText().equals("Route/huge")) {
        huge = p;
      }
    }
    assertThat(huge).as("Route/huge in /policies: %s", policies).isNotNull();
    assertThat(huge.path("state").asText()).isEqualTo("rejected");
    assertThat(huge.path("findings").get(0).asText())
        .contains("bad.yaml:4:10: Route/huge field match.regex: invalid regex")
        .contains("at column 4: invalid repetition size: {1001}");
    assertThat(rejected()).isEqualTo(1);
    lastGoodServesAndTheNextChangeIsApplied();
  }

  @Test
  void aRegexEnvoyWouldNackForItsProgramSizeIsRefusedBeforeItIsSent() {
    sluice.writePolicy(
        "bad.yaml", "kind: Route\nname: big\nmatch:\n  regex: \"^/[a-z]{0,100}$\"\nto: orders\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> rejected() == 1);
    assertThat(sluice.status().path("policyFindings").get(0).path("text").asText())
        .contains(
            "bad.yaml:4:10: Route/big field match.regex: invalid regex \"^/[a-z]{0,100}$\": RE2 program size of 204 > max program size of 100");
    assertThat(sluice.adminJson("/proxies").toString()).doesNotContain("program size");
    lastGoodServesAndTheNextChangeIsApplied();
  }

  @Test
  void aFileTooBigToReadIsRefusedCountedAndShownAndLaterEditsAreStillApplied() throws Exception {
    Path big = sluice.policies.resolve("big.yaml");
    try (var out = FileChannel.open(big, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out.write(
          ByteBuffer.wrap(new byte[] {'\n'}),
          1L << 31); // 2 GiB, sparse: an OutOfMemoryError once read
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> rejected() == 1);
    JsonNode policies = sluice.adminJson("/policies");
    assertThat(policies.path("lastLoad").asText()).isEqualTo("rejected");
    assertThat(policies.path("findings").get(0).asText())
        .endsWith(
            "big.yaml:1:1: the file is 2147483649 bytes, more than the 4194304 a file may have (sluice.yaml.maxFileBytes): not read");
    assertThat(sluice.status().path("policyFindings").toString()).contains("big.yaml");
    assertThat(sluice.answer("/users")).isEqualTo("users");
    Files.delete(big);
    lastGoodServesAndTheNextChangeIsApplied();
  }

  /**
   * The policy folder as the kubelet mounts a ConfigMap: the files in a timestamped folder, {@code
   * ..data} a link to it, each file a top-level link into {@code ..data}. It is accepted (each file
   * read once), and an update — a new folder and {@code ..data} swapped in one rename — reaches
   * Envoy.
   */
  @Test
  void aConfigMapMountIsServedAndItsAtomicUpdateReachesEnvoy() throws Exception {
    Path dir = sluice.policies;
    String gateway = Files.readString(dir.resolve("gateway.yaml"));
    configMap(dir, "00", gateway, "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
    // the plain files become links into ..data, each in one rename, so every load is whole
    for (String name : new String[] {"gateway.yaml", "routes.yaml"}) {
      Path link = Files.createSymbolicLink(dir.resolve(".tmp-" + name), Path.of("..data", name));
      Files.move(
          link,
          dir.resolve(name),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Files.isSymbolicLink(dir.resolve("routes.yaml"))
                    && sluice.adminJson("/policies").path("lastLoad").asText().equals("accepted")
                    && sluice.answer("/users").equals("users"));

    configMap(
        dir, "01", gateway, "kind: Route\nname: users\nmatch: {prefix: /users}\nto: orders\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> sluice.answer("/users").equals("orders"));
    assertThat(sluice.adminJson("/policies").path("lastLoad").asText()).isEqualTo("accepted");
    assertThat(rejected()).as("never read twice, never rejected").isZero();
  }

  /**
   * A sub-folder of the policy folder that is a link to a folder elsewhere (present when the server
   * starts): its files are read, and an edit of one reaches Envoy.
   */
  @Test
  void anEditInALinkedSubFolderReachesEnvoy() throws Exception {
    Path team = Files.createDirectories(sluice.dir.resolve("elsewhere/team"));
    sluice.write(
        team.resolve("orders.yaml"),
        "kind: Route\nname: orders\nmatch: {prefix: /orders}\nto: users\n");
    sluice.stop();
    Files.createSymbolicLink(sluice.policies.resolve("team"), team);
    sluice.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> sluice.answer("/orders").equals("users"));

    sluice.write(
        team.resolve("orders.yaml"),
        "kind: Route\nname: orders\nmatch: {prefix: /orders}\nto: orders\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> sluice.answer("/orders").equals("orders"));
    assertThat(sluice.adminJson("/policies").path("lastLoad").asText()).isEqualTo("accepted");
    assertThat(rejected()).isZero();
  }

  private static void configMap(Path dir, String stamp, String gateway, String routes)
      throws Exception {
    Path data = Files.createDirectory(dir.resolve("..2026_12_07_20_" + stamp + ".000000001"));
    Files.writeString(data.resolve("gateway.yaml"), gateway);
    Files.writeString(data.resolve("routes.yaml"), routes);
    Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), data.getFileName());
    Files.move(
        tmp,
        dir.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }
}
