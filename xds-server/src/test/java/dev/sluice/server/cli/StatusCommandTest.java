package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice status}: the server's state of each proxy as a table, a first line that says
 * whether all is well, and an exit code a pipeline can wait on. The server is a fake that answers
 * {@code /status} as a real one would; CliAgainstServerIT and ProxyStateIT run it against a real
 * one.
 */
class StatusCommandTest {
  private static final String V1 =
      "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
  private static final String V2 =
      "9b8a7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9";

  private static String proxy(
      String node,
      String group,
      String state,
      String routesSent,
      String routesAcked,
      String routesNack,
      String nacks,
      String lastChange) {
    return """
        {"node": "%s", "group": "%s", "connectedSince": "2026-03-01T10:00:00Z", %s
         "types": {"listeners": {"sent": "%s", "acked": "%s", "nack": null},
                   "routes": {"sent": "%s", "acked": %s, "nack": %s},
                   "clusters": {"sent": "%s", "acked": "%s", "nack": null}},
         "nacks": [%s],
         "lastChange": %s}"""
        .formatted(
            node,
            group,
            state,
            V1,
            V1,
            routesSent,
            routesAcked,
            routesNack,
            V1,
            V1,
            nacks,
            lastChange);
  }

  private static final String IN_SYNC =
      proxy(
          "edge-1",
          "edge",
          "\"state\": \"in sync\",",
          V2,
          "\"" + V2 + "\"",
          "null",
          "",
          "{\"id\": 12, \"ackedAfterMs\": 35}");
  private static final String BEHIND =
      proxy(
          "edge-2",
          "edge",
          "\"state\": \"catching up\", \"stateTypes\": [\"routes\"],",
          V2,
          "\"" + V1 + "\"",
          "null",
          "",
          "{\"id\": 12, \"ackedAfterMs\": null}");
  private static final String NACKED =
      proxy(
          "internal-1",
          "internal",
          "\"state\": \"rejected\", \"stateTypes\": [\"routes\"],",
          V2,
          "\"" + V1 + "\"",
          "\"" + V2 + "\"",
          """
      {"type": "routes", "version": "%s", "error": "Proto constraint validation failed: invalid regex",
       "policies": ["Route/orders (policies/routes.yaml:9:1)"], "oneOf": false, "at": "2026-03-01T10:05:00Z"}"""
              .formatted(V2),
          "{\"id\": 12, \"ackedAfterMs\": null}");

  @Test
  void everyProxyInSyncIsATableAndExitZero() throws Exception {
    try (FakeAdmin admin =
        new FakeAdmin(null).serve("/status", "{\"proxies\": [" + IN_SYNC + "]}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isZero();
      assertThat(run.err()).isEmpty();
      assertThat(run.outLines())
          .containsExactly(
              "ok: 1 proxy in sync",
              "NODE    GROUP  CONNECTED SINCE       STATE    LAST CHANGE",
              "edge-1  edge   2026-03-01T10:00:00Z  in sync  #12, acked after 35 ms",
              "",
              "1 proxy: 1 in sync, 0 rejected, 0 not in sync yet");
    }
  }

  @Test
  void aProxyThatRejectsItsConfigExitsFiveAndSaysWhy() throws Exception {
    try (FakeAdmin admin =
        new FakeAdmin(null)
            .serve("/status", "{\"proxies\": [" + IN_SYNC + "," + BEHIND + "," + NACKED + "]}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isEqualTo(5);
      assertThat(run.outLines())
          .containsExactly(
              "rejected: 1 proxy rejects its config (NACK)",
              "NODE        GROUP     CONNECTED SINCE       STATE                 LAST CHANGE",
              "edge-1      edge      2026-03-01T10:00:00Z  in sync               #12, acked after 35 ms",
              "edge-2      edge      2026-03-01T10:00:00Z  catching up (routes)  #12, not acked yet",
              "internal-1  internal  2026-03-01T10:00:00Z  rejected (routes)     #12, not acked yet",
              "",
              "edge-2:",
              "  routes: sent 9b8a7c6d5e4f, acked 3f2a9c1b7d4e",
              "internal-1:",
              "  NACK of routes version 9b8a7c6d5e4f at 2026-03-01T10:05:00Z: Proto constraint validation failed: invalid regex",
              "    from Route/orders (policies/routes.yaml:9:1)",
              "",
              "3 proxies: 1 in sync, 1 rejected, 1 not in sync yet");
    }
  }

  @Test
  void aProxyCatchingUpExitsThreeAndTheFirstLineSaysBehind() throws Exception {
    try (FakeAdmin admin =
        new FakeAdmin(null).serve("/status", "{\"proxies\": [" + IN_SYNC + "," + BEHIND + "]}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isEqualTo(3);
      assertThat(run.outLines()).first().isEqualTo("behind: 1 proxy not in sync (catching up)");
    }
  }

  @Test
  void theStateIsTheServersNotRecomputedFromVersions() throws Exception {
    // sent and acked differ, yet the server, which knows what the proxy asked for, says in sync
    String inSync =
        BEHIND.replace(
            "\"state\": \"catching up\", \"stateTypes\": [\"routes\"],", "\"state\": \"in sync\",");
    try (FakeAdmin admin =
        new FakeAdmin(null).serve("/status", "{\"proxies\": [" + inSync + "]}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).as(run.out()).isZero();
      assertThat(run.outLines()).first().isEqualTo("ok: 1 proxy in sync");
    }
  }

  @Test
  void aRefusedPolicyChangeExitsFourAndTheFirstLineSaysWhyAndWhichChangeEnvoysKeep()
      throws Exception {
    String findings =
        """
        "policyFindings": [
          {"severity": "warning", "text": "policies/a.yaml:1:1: warning: unused"},
          {"severity": "error", "text": "policies/routes.yaml:3:1: error: Route/users: to: unknown field"},
          {"severity": "error", "text": "policies/routes.yaml:9:1: error: Route/web: name: missing"}],
        "registryFindings": [],
        "servingChange": 12""";
    try (FakeAdmin admin =
        new FakeAdmin(null)
            .serve("/status", "{\"proxies\": [" + IN_SYNC + "], " + findings + "}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isEqualTo(4);
      assertThat(run.outLines())
          .first()
          .isEqualTo(
              "refused: the last policy change was refused"
                  + " (policies/routes.yaml:3:1: error: Route/users: to: unknown field … and 1 more); Envoys keep change #12");
      assertThat(run.out()).contains("edge-1  edge   2026-03-01T10:00:00Z  in sync");
    }
  }

  @Test
  void noProxiesConnectedIsSaidAndExitsZero() throws Exception {
    try (FakeAdmin admin = new FakeAdmin(null).serve("/status", "{\"proxies\": []}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isZero();
      assertThat(run.outLines()).containsExactly("ok: no proxies connected");
    }
  }

  @Test
  void theTokenFromTheTokenFileIsSentAsABearerToken(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("token"), "  t0ken \n");
    try (FakeAdmin admin =
        new FakeAdmin("t0ken").serve("/status", "{\"proxies\": [" + IN_SYNC + "]}")) {
      CliRun run =
          CliRun.of(
              "status",
              "--server",
              admin.url() + "/",
              "--token-file",
              dir.resolve("token").toString());
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(admin.authorizations).containsExactly("Bearer t0ken");
      assertThat(admin.requests).containsExactly("/status");
    }
  }

  @Test
  void aMissingTokenIsRefusedWithAHintAndExitsTwo() throws Exception {
    try (FakeAdmin admin = new FakeAdmin("t0ken").serve("/status", "{\"proxies\": []}")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err())
          .isEqualTo(
              "status: GET "
                  + admin.url()
                  + "/status answered 401 (the admin API wants a token: give --token-file):"
                  + " a bearer token is required\n");
    }
  }

  @Test
  void aServerThatIsNotRunningIsNamedAsSuchAndExitsTwo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun run = CliRun.of("status", "--server", "http://127.0.0.1:" + port);
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "status: connection refused: is `sluice serve` running at http://127.0.0.1:"
                + port
                + "?\n");
  }

  @Test
  void aHostThatDoesNotResolveIsNamedAsSuch() {
    CliRun run = CliRun.of("status", "--server", "http://nohost.invalid:18001");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "status: cannot reach the server at http://nohost.invalid:18001:"
                + " unknown host nohost.invalid\n");
  }

  @Test
  void anAnswerThatIsNotTheProxiesJsonExitsTwo() throws Exception {
    try (FakeAdmin admin = new FakeAdmin(null).serve("/status", "<html>hi</html>")) {
      CliRun run = CliRun.of("status", "--server", admin.url());
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err())
          .startsWith("status: GET " + admin.url() + "/status did not answer JSON: ");
    }
  }

  @Test
  void aServerAddressThatIsNotHttpIsAUsageError() {
    CliRun run = CliRun.of("status", "--server", "127.0.0.1:18001");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "status: invalid --server 127.0.0.1:18001: write it like http://127.0.0.1:18001\n");
  }
}
