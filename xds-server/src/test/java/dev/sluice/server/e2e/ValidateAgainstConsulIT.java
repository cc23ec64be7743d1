package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.cli.SluiceCli;
import dev.sluice.testing.ConsulAgent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice validate --registry consul://…} reads a real Consul, as render and diff do, instead
 * of a file of that name.
 */
class ValidateAgainstConsulIT {
  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SluiceCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void validateChecksRoutesAgainstTheServicesConsulKnows(@TempDir Path dir) throws Exception {
    try (ConsulAgent consul = ConsulAgent.start()) {
      consul.register("users-1", "users", 9001, List.of());
      Files.writeString(
          dir.resolve("routes.yaml"),
          """
          kind: Gateway
          name: edge
          port: 8080
          ---
          kind: Route
          name: users
          match: {prefix: /users}
          to: users
          ---
          kind: Route
          name: ghosts
          match: {prefix: /ghosts}
          to: ghosts
          """);

      Run run = cli("validate", dir.toString(), "--registry", consul.registry());

      assertThat(run.exit()).as(run.out() + run.err()).isZero();
      assertThat(run.out().lines())
          .containsExactly(
              "warning: "
                  + dir.resolve("routes.yaml")
                  + ":13:5: Route/ghosts field to: service \"ghosts\" is not in the registry:"
                  + " requests will get 503 until it appears",
              "ok: 3 documents (Gateway: 1, Route: 2) checked against consul "
                  + consul.url()
                  + ", 1 warning(s)");
    }
  }

  @Test
  void aConsulThatCannotBeReachedExitsTwoWithoutReadingAFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), "kind: Gateway\nname: edge\nport: 8080\n");

    Run run = cli("validate", dir.toString(), "--registry", "consul://127.0.0.1:1");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("validate: cannot read consul http://127.0.0.1:1: ")
        .doesNotContain("registry file");
  }
}
