package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice status}: a table of the server's {@code /proxies}, and an exit code a pipeline can wait on. */
class StatusCommandTest {
  private static final String V1 = "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
  private static final String V2 = "9b8a7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9";

  private static String proxy(String node, String group, String routesSent, String routesAcked, String routesNack, String nacks, String lastChange) {
    return """
        {"node": "%s", "group": "%s", "connectedSince": "2026-03-01T10:00:00Z",
         "types": {"listeners": {"sent": "%s", "acked": "%s", "nack": null},
                   "routes": {"sent": "%s", "acked": %s, "nack": %s},
                   "clusters": {"sent": "%s", "acked": "%s", "nack": null}},
         "nacks": [%s],
         "lastChange": %s}""".formatted(node, group, V1, V1, routesSent, routesAcked, routesNack, V1, V1, nacks, lastChange);
  }

  private static final String IN_SYNC = proxy("edge-1", "edge", V2, "\"" + V2 + "\"", "null", "", "{\"id\": 12, \"ackedAfterMs\": 35}");
  private static final String BEHIND = proxy("edge-2", "edge", V2, "\"" + V1 + "\"", "null", "", "{\"id\": 12, \"ackedAfterMs\": null}");
  private static final String NACKED = proxy("internal-1", "internal", V2, "\"" + V1 + "\"", "\"" + V2 + "\"",
      """
      {"type": "routes", "version": "%s", "error": "Proto constraint validation failed: invalid regex",
       "policies": ["Route/orders (policies/routes.yaml:9:1)"], "at": "2026-03-01T10:05:00Z"}""".formatted(V2),
      "{\"id\": 12, \"ackedAfterMs\": null}");

  @Test
  void everyProxyInSyncIsATableAndExitZero() throws Exception {
    try (FakeAdmin admin = new FakeAdmin(null).serve("/proxies", "{\"proxies\": [" + IN_SYNC + "]}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isZero();
      assertThat(run.err()).isEmpty();
      assertThat(run.outLines()).containsExactly(
          "NODE    GROUP  CONNECTED SINCE       STATE    LAST CHANGE",
          "edge-1  edge   2026-03-01T10:00:00Z  in sync  #12, acked after 35 ms",
          "",
          "1 proxy: 1 in sync, 0 behind, 0 with a NACK");
    }
  }

  @Test
  void aProxyBehindOrWithANackExitsThreeAndSaysWhy() throws Exception {
    try (FakeAdmin admin = new FakeAdmin(null).serve("/proxies", "{\"proxies\": [" + IN_SYNC + "," + BEHIND + "," + NACKED + "]}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isEqualTo(3);
      assertThat(run.outLines()).containsExactly(
          "NODE        GROUP     CONNECTED SINCE       STATE            LAST CHANGE",
          "edge-1      edge      2026-03-01T10:00:00Z  in sync          #12, acked after 35 ms",
          "edge-2      edge      2026-03-01T10:00:00Z  behind (routes)  #12, not acked yet",
          "internal-1  internal  2026-03-01T10:00:00Z  NACK (routes)    #12, not acked yet",
          "",
          "edge-2:",
          "  routes: sent 9b8a7c6d5e4f, acked 3f2a9c1b7d4e",
          "internal-1:",
          "  NACK of routes version 9b8a7c6d5e4f at 2026-03-01T10:05:00Z: Proto constraint validation failed: invalid regex",
          "    from Route/orders (policies/routes.yaml:9:1)",
          "",
          "3 proxies: 1 in sync, 1 behind, 1 with a NACK");
    }
  }

  @Test
  void noProxiesConnectedIsSaidAndExitsZero() throws Exception {
    try (FakeAdmin admin = new FakeAdmin(null).serve("/proxies", "{\"proxies\": []}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isZero();
      assertThat(run.outLines()).containsExactly("no proxies connected");
    }
  }

  @Test
  void theTokenFromTheTokenFileIsSentAsABearerToken(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("token"), "  t0ken \n");
    try (FakeAdmin admin = new FakeAdmin("t0ken").serve("/proxies", "{\"proxies\": [" + IN_SYNC + "]}")) {
      CliRun run = CliRun.of("status", "--server", admin.url() + "/", "--token-file", dir.resolve("token").toString());
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(admin.authorizations).containsExactly("Bearer t0ken");
      assertThat(admin.requests).containsExactly("/proxies");
    }
  }

  @Test
  void aMissingTokenIsRefusedWithAHintAndExitsTwo() throws Exception {
    try (FakeAdmin admin = new FakeAdmin("t0ken").serve("/proxies", "{\"proxies\": []}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err()).isEqualTo("status: GET " + admin.url() + "/proxies answered 401 (the admin API wants a token: give --token-file):"
          + " a bearer token is required\n");
    }
  }

  @Test
  void aServerThatCannotBeReachedExitsTwo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun run = CliRun.of("status", "--server", "http://127.0.0.1:" + port);
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("status: cannot reach the server at http://127.0.0.1:" + port + ": ");
  }

  @Test
  void anAnswerThatIsNotTheProxiesJsonExitsTwo() throws Exception {
    try (FakeAdmin admin = new FakeAdmin(null).serve("/proxies", "<html>hi</html>")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err()).startsWith("status: GET " + admin.url() + "/proxies did not answer JSON: ");
    }
  }

  @Test
  void aServerAddressThatIsNotHttpIsAUsageError() {
    CliRun run = CliRun.of("status", "--server", "127.0.0.1:18001");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("status: invalid --server 127.0.0.1:18001: write it like http://127.0.0.1:18001\n");
  }
}
