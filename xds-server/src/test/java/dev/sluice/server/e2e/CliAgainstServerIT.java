package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.cli.SluiceCli;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RepoPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sluice diff --server} and {@code sluice status --server} against a running Sluice with a
 * real Envoy and an admin token: the dry run shows exactly the one changed route, and status says
 * every proxy is in sync; after a refused policy change, status says so on its first line and exits
 * 4.
 */
class CliAgainstServerIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private record Run(int exit, String out) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    int exit = SluiceCli.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args);
    return new Run(exit, out.toString());
  }

  @Test
  void diffAgainstARunningServerShowsOnlyTheChangedRouteAndStatusSaysInSync() throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture().adminToken("t0ken")) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      String routes =
          "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n---\nkind: Route\nname: web\nto: users\n";
      sluice.writePolicy("routes.yaml", routes);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      Path token = Files.writeString(sluice.dir.resolve("token"), "t0ken\n");
      String server = "http://127.0.0.1:" + sluice.adminPort;

      Path changed = Files.createDirectories(sluice.dir.resolve("changed"));
      Files.copy(sluice.policies.resolve("gateway.yaml"), changed.resolve("gateway.yaml"));
      Files.writeString(
          changed.resolve("routes.yaml"),
          routes.replace("match: {prefix: /users}", "match: {prefix: /people}"));

      Run same =
          cli(
              "diff",
              "--server",
              server,
              "--token-file",
              token.toString(),
              "--policies",
              sluice.policies.toString(),
              "--registry",
              sluice.registry.toString());
      assertThat(same.exit()).as(same.out()).isZero();

      Run diff =
          cli(
              "diff",
              "--server",
              server,
              "--token-file",
              token.toString(),
              "--policies",
              changed.toString(),
              "--registry",
              sluice.registry.toString());
      assertThat(diff.exit()).as(diff.out()).isEqualTo(3);
      assertThat(diff.out())
          .contains("routes/http-" + sluice.gatewayPort)
          .contains("-      prefix: /users")
          .contains("+      prefix: /people")
          .doesNotContain("clusters/")
          .doesNotContain("listeners/");

      Run status = cli("status", "--server", server, "--token-file", token.toString());
      assertThat(status.exit()).as(status.out()).isZero();
      assertThat(status.out()).contains("edge-1", "in sync");
      assertThat(cli("status", "--server", server).exit()).as("without the token").isEqualTo(2);
    }
  }

  @Test
  void diffAgainstAMeshServerWithAnUnchangedCopyOfItsPoliciesShowsNoChange() throws Exception {
    try (SluiceFixture sluice = new SluiceFixture().meshCa(Duration.ofHours(1))) {
      sluice.writeRegistry(
          "services:\n  web: [\"127.0.0.1:21001\"]\n  orders: [\"127.0.0.1:21002\"]\n  users: [\"127.0.0.1:21003\"]\n");
      Path quickstart = RepoPaths.root().resolve("compose/policies");
      for (String file : List.of("gateway.yaml", "routes.yaml", "mesh.yaml", "access.yaml")) {
        sluice.writePolicy(file, Files.readString(quickstart.resolve(file)));
      }
      sluice.start();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  sluice.admin("/config/sidecar~web").statusCode() == 200
                      && sluice.admin("/config/sidecar~web").body().contains("BEGIN CERTIFICATE"));
      String server = "http://127.0.0.1:" + sluice.adminPort;

      Run same =
          cli(
              "diff",
              "--server",
              server,
              "--policies",
              sluice.policies.toString(),
              "--registry",
              sluice.registry.toString());
      assertThat(same.exit()).as(same.out()).isZero();
      assertThat(same.out().lines()).last().isEqualTo("no changes");

      Run render =
          cli(
              "render",
              "--policies",
              sluice.policies.toString(),
              "--registry",
              sluice.registry.toString(),
              "--proxy",
              "sidecar~web",
              "--type",
              "secrets");
      assertThat(render.out())
          .isEqualTo(
              """
          - name: mesh-cert
            identity: spiffe://sluice.local/service/web
            not_shown: a certificate issued at run time by the server's mesh CA
          - name: mesh-trust
            trust_domain: sluice.local
            not_shown: a certificate issued at run time by the server's mesh CA
          """);

      Path moved = Files.createDirectories(sluice.dir.resolve("moved"));
      for (String file : List.of("gateway.yaml", "routes.yaml", "access.yaml")) {
        Files.copy(sluice.policies.resolve(file), moved.resolve(file));
      }
      Files.writeString(
          moved.resolve("mesh.yaml"),
          Files.readString(sluice.policies.resolve("mesh.yaml"))
              .replace("trustDomain: sluice.local", "trustDomain: example.org"));
      Run changed =
          cli(
              "diff",
              "--server",
              server,
              "--policies",
              moved.toString(),
              "--registry",
              sluice.registry.toString(),
              "--summary");
      assertThat(changed.exit()).as(changed.out()).isEqualTo(3);
      assertThat(changed.out())
          .contains(
              "sidecar~web secrets/mesh-cert: changed", "sidecar~web secrets/mesh-trust: changed");
    }
  }

  @Test
  void statusExitsFourAfterARefusedPolicyChangeAndItsFirstLineSaysWhyAndWhichChangeEnvoysKeep()
      throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      String routes = "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n";
      sluice.writePolicy("routes.yaml", routes);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      String server = "http://127.0.0.1:" + sluice.adminPort;
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cli("status", "--server", server).exit() == 0);
      assertThat(cli("status", "--server", server).out()).startsWith("ok: 1 proxy in sync\n");

      sluice.writePolicy("routes.yaml", routes + "retries: lots\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.adminJson("/policies").path("lastLoad").asText().equals("rejected"));
      Run status = cli("status", "--server", server);
      assertThat(status.exit()).as(status.out()).isEqualTo(4);
      assertThat(status.out().lines().findFirst())
          .hasValueSatisfying(
              first ->
                  assertThat(first)
                      .startsWith("refused: the last policy change was refused (")
                      .contains("routes.yaml:5:")
                      .containsPattern("\\); Envoys keep change #\\d+$"));
      assertThat(status.out()).contains("edge-1", "in sync");
    }
  }
}
