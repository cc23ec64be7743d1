package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.testing.ConsulAgent;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Sluice reads a Consul that requires an ACL token, or TLS with client certificates. */
class ConsulSecurityIT {
  private static final String ROUTE =
      "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n";

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void readsWithAnAclTokenThatNeverShowsInStatusOrMetrics() {
    String management = "3c1f0a52-0d5e-4b0e-9a57-6c2f1b8e7d10";
    try (ConsulAgent consul = ConsulAgent.withAcls(management);
        HttpUpstream u1 = HttpUpstream.start("u1")) {
      consul.register("u1", "users", u1.port(), List.of());
      String readToken = consul.createReadToken();
      try (SluiceFixture sluice =
          new SluiceFixture()
              .consul(ConsulConfig.of(consul.registry()).withToken(Optional.of(readToken)))) {
        sluice.writePolicy("routes.yaml", ROUTE);
        sluice.start();
        envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(30));
        assertThat(sluice.answer("/users")).isEqualTo("u1");
        assertThat(sluice.status().toString()).doesNotContain(readToken);
        assertThat(sluice.server().metrics().prometheus()).doesNotContain(readToken);
        assertThat(sluice.server().registry().describe())
            .doesNotContain(readToken)
            .contains("with ACL token");
      }
      // Without a token, a default-deny Consul shows no services: the route has nowhere to go.
      try (SluiceFixture anonymous =
          new SluiceFixture().consul(ConsulConfig.of(consul.registry()))) {
        anonymous.writePolicy("routes.yaml", ROUTE);
        anonymous.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> anonymous.server().ready());
        envoys.startEdge(anonymous.xdsPort).awaitReady(Duration.ofSeconds(30));
        assertThat(anonymous.get("/users").statusCode()).isEqualTo(503);
      }
    }
  }

  @Test
  void readsOverTlsWithAClientCertificate(@TempDir Path dir) throws Exception {
    ConsulAgent.run(dir, "tls", "ca", "create");
    ConsulAgent.run(
        dir,
        "tls",
        "cert",
        "create",
        "-server",
        "-dc",
        "dc1",
        "-additional-ipaddress",
        "127.0.0.1");
    ConsulAgent.run(dir, "tls", "cert", "create", "-client", "-dc", "dc1");
    Path ca = dir.resolve("consul-agent-ca.pem");
    assertThat(ca).exists();
    try (ConsulAgent consul =
            ConsulAgent.withTls(
                ca,
                dir.resolve("dc1-server-consul-0.pem"),
                dir.resolve("dc1-server-consul-0-key.pem"));
        HttpUpstream u1 = HttpUpstream.start("u1")) {
      consul.register("u1", "users", u1.port(), List.of());
      String registry = "consul+https://127.0.0.1:" + consul.httpsPort();
      ConsulConfig tls =
          ConsulConfig.of(registry)
              .withTls(
                  Optional.of(ca),
                  Optional.of(dir.resolve("dc1-client-consul-0.pem")),
                  Optional.of(dir.resolve("dc1-client-consul-0-key.pem")));
      try (SluiceFixture sluice = new SluiceFixture().consul(tls)) {
        sluice.writePolicy("routes.yaml", ROUTE);
        sluice.start();
        envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(30));
        assertThat(sluice.answer("/users")).isEqualTo("u1");
        assertThat(sluice.status().get("registry").get("stale").asBoolean()).isFalse();
      }
      // Without a client certificate Consul refuses the connection: Sluice says so and serves
      // nothing yet.
      ConsulConfig noClientCert =
          ConsulConfig.of(registry).withTls(Optional.of(ca), Optional.empty(), Optional.empty());
      try (SluiceFixture refused = new SluiceFixture().consul(noClientCert)) {
        refused.writePolicy("routes.yaml", ROUTE);
        refused.start();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> refused.status().get("registry").get("stale").asBoolean());
        assertThat(refused.status().get("registry").get("lastError").asText()).isNotEmpty();
        assertThat(refused.server().ready()).isFalse();
      }
    }
  }
}
