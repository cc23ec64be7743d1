package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Registry;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.RepoPaths;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The documented example gateway, as written, is accepted by a real Envoy: no NACK, and it answers.
 */
class ExampleOnEnvoyIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void theEdgeGatewayExampleIsAcceptedByEnvoyAndAnswers() throws Exception {
    Path example = RepoPaths.resolve("docs/examples/edge-gateway");
    Path dir = Files.createTempDirectory("example");
    try (Stream<Path> files = Files.walk(example)) {
      for (Path f : files.toList()) {
        Path target = dir.resolve(example.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    int port = FreePorts.next();
    Path gateway = dir.resolve("policies/00-gateway.yaml");
    // the test's client sends Host: 127.0.0.1:<port> (the JDK client will not send another)
    Files.writeString(
        gateway,
        Files.readString(gateway)
            .replace("port: 8080", "port: " + port)
            .replace(
                "\"shop.example.com:8080\"]",
                "\"shop.example.com:8080\", \"127.0.0.1:" + port + "\"]"));
    try (SluiceServer server =
        SluiceServer.start(
            ServerOptions.builder()
                .registry(new Registry.File(dir.resolve("services.yaml")))
                .policies(dir.resolve("policies"))
                .ports(FreePorts.next(), FreePorts.next())
                .build())) {
      envoys.startEdge(server.xdsPort()).awaitReady(Duration.ofSeconds(20));
      for (String type :
          List.of("Listener", "RouteConfiguration", "Cluster", "ClusterLoadAssignment")) {
        // Envoy reports ready once it applied the config; its ACK may still be on the wire
        Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> server.metrics().get("sluice_xds_acks_total", "type", type) > 0);
        assertThat(server.metrics().get("sluice_xds_nacks_total", "type", type))
            .as("NACKs of %s", type)
            .isZero();
      }
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("ok\n");
      HttpResponse<String> old =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/shop/cart")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(old.statusCode()).isEqualTo(308);
      assertThat(old.headers().firstValue("location")).get().asString().endsWith("/cart");

      // the partner API: no key 401; the example's key gets past auth and access rules (to a
      // placeholder address, hence 503); a GET is allowed to anyone with a key, a POST to acme
      URI partner = URI.create("http://127.0.0.1:" + port + "/partner/orders");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(partner).build(), HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(401);
      HttpResponse<String> keyed =
          http.send(
              HttpRequest.newBuilder(partner)
                  .header("x-api-key", "sk_example_3f8a1c2e9b7d4a6f0e5c1b2a9d8e7f60")
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(keyed.statusCode()).as(keyed.body()).isEqualTo(503);
    }
  }
}
