package dev.sluice.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.util.JsonFormat;
import dev.sluice.server.cli.SluiceCli;
import dev.sluice.testing.AdsClient;
import dev.sluice.testing.FreePorts;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose file's secure wiring with the real server instead of Docker: proxy-credentials runs
 * ({@link ComposeSandbox}), then {@code sluice serve} as a process with the sluice service's own
 * command (only the registry, a file instead of Consul, and the ports, free ones, replaced), on the
 * same volumes as folders; then xds-ca-bundle. Sluice must start (the secure-by-default rule
 * refuses a mesh CA beyond loopback without TLS and credentials) and serve each Envoy, over TLS
 * verified with the published CA bundle for the name {@code sluice}, with the token and node of the
 * bootstrap proxy-credentials wrote for it; a token claiming another Envoy's node is refused. (No
 * Envoy here: the compose policies' listeners take fixed ports. ControlChannelSecurityIT runs real
 * Envoys with tokens.)
 */
class ComposeSluiceIT {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Duration START = Duration.ofSeconds(90);

  @TempDir Path tmp;

  @Test
  void sluiceStartsWithTheComposeCommandAndServesEachEnvoyWithItsGeneratedCredentials()
      throws Exception {
    ComposeFile compose = ComposeFile.load();
    ComposeSandbox sandbox = new ComposeSandbox(compose, tmp);
    ComposeSandbox.Result init =
        sandbox.run("proxy-credentials", Map.of("SLUICE_USER", "", "ENVOY_USER", ""));
    assertThat(init.exit()).as("proxy-credentials:%n%s", init.output()).isZero();

    Path registry = tmp.resolve("services.yaml");
    Files.writeString(
        registry,
        "services:\n  web: [127.0.0.1:9]\n  orders: [127.0.0.1:9]\n  users: [127.0.0.1:9]\n");
    int xdsPort = FreePorts.next();
    int adminPort = FreePorts.next();
    int rateLimitPort = FreePorts.next();
    List<String> command = new ArrayList<>();
    for (String arg : compose.command("sluice")) {
      if (arg.startsWith("--registry=")) {
        command.add("--registry=" + registry);
      } else if (arg.startsWith("--xds-port=")) {
        command.add("--xds-port=" + xdsPort);
      } else if (arg.startsWith("--admin-port=")) {
        command.add("--admin-port=" + adminPort);
      } else {
        command.add(arg);
      }
    }
    command.add("--ratelimit-port=" + rateLimitPort);
    List<String> java =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            SluiceCli.class.getName());
    Path log = tmp.resolve("sluice.log");
    Process sluice = sandbox.start("sluice", Map.of(), java, command, log);
    try {
      awaitReady(sluice, adminPort, log);
      ComposeSandbox.Result bundle = sandbox.run("xds-ca-bundle", Map.of());
      assertThat(bundle.exit()).as("xds-ca-bundle:%n%s", bundle.output()).isZero();

      for (String envoy : ComposeFile.ENVOYS) {
        JsonNode bootstrap = YAML.readTree(bootstrap(compose, sandbox, envoy).toFile());
        Path ca = sandbox.hostPath(envoy, "/etc/sluice/xds/ca.pem");
        boolean sidecar = envoy.endsWith("-sidecar");
        try (AdsClient c = client(xdsPort, ca, token(bootstrap))) {
          DiscoveryResponse r =
              c.open(node(bootstrap), sidecar ? AdsClient.SECRET_TYPE : AdsClient.CLUSTER_TYPE)
                  .next(
                      () ->
                          "Sluice's /proxies and log:\n"
                              + admin(adminPort, "/proxies")
                              + "\n"
                              + admin(adminPort, "/status")
                              + "\n"
                              + admin(adminPort, "/policies")
                              + "\n"
                              + Files.readString(log));
          assertThat(r.getResourcesCount())
              .as("%s is sent its %s", envoy, sidecar ? "certificate" : "clusters")
              .isPositive();
        }
      }

      JsonNode web = YAML.readTree(bootstrap(compose, sandbox, "web-sidecar").toFile());
      JsonNode orders = YAML.readTree(bootstrap(compose, sandbox, "orders-sidecar").toFile());
      try (AdsClient c =
          client(xdsPort, sandbox.hostPath("web-sidecar", "/etc/sluice/xds/ca.pem"), token(web))) {
        Status s = c.open(node(orders), AdsClient.SECRET_TYPE).awaitRefusal();
        assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(s.getDescription()).isEqualTo("token web-sidecar does not grant service orders");
      }
    } finally {
      sluice.destroy();
      if (!sluice.waitFor(10, TimeUnit.SECONDS)) {
        sluice.destroyForcibly().waitFor();
      }
    }
  }

  private static void awaitReady(Process sluice, int adminPort, Path log) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < deadline) {
      if (!sluice.isAlive()) {
        throw new AssertionError(
            "sluice serve exited with " + sluice.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      sluice.waitFor(200, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError(
        "sluice serve not ready in " + START.toSeconds() + " s:\n" + Files.readString(log));
  }

  private static String admin(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static Path bootstrap(ComposeFile compose, ComposeSandbox sandbox, String envoy) {
    List<String> cmd = compose.command(envoy);
    return sandbox.hostPath(envoy, cmd.get(cmd.indexOf("-c") + 1));
  }

  private static Node node(JsonNode bootstrap) throws IOException {
    Node.Builder node = Node.newBuilder();
    JsonFormat.parser().merge(bootstrap.path("node").toString(), node);
    return node.build();
  }

  private static String token(JsonNode bootstrap) {
    String value =
        bootstrap
            .at("/dynamic_resources/ads_config/grpc_services/0/initial_metadata/0/value")
            .asText();
    assertThat(value).startsWith("Bearer pt_");
    return value.substring("Bearer ".length());
  }

  /**
   * A connection to Sluice on 127.0.0.1 over TLS, verified with {@code ca} for the name {@code
   * sluice}, as the compose Envoys connect.
   */
  private static AdsClient client(int port, Path ca, String token) {
    return AdsClient.to("127.0.0.1", port).trusting(ca).authority("sluice").token(token).connect();
  }
}
