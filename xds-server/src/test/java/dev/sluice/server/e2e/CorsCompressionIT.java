package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CORS and response compression through a real Envoy. */
class CorsCompressionIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private HttpUpstream users;
  private SluiceFixture sluice;

  @BeforeEach
  void start() {
    users = HttpUpstream.start("users");
    sluice = new SluiceFixture();
    sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
    sluice.writePolicy(
        "gateway.yaml",
        """
        kind: Gateway
        name: edge
        port: %d
        cors:
          allowOrigins: [https://app.example.com]
          allowMethods: [GET, POST]
          allowHeaders: [content-type]
          maxAge: 1h
        compression: {algorithms: [brotli, gzip], minLength: 1}
        """
            .formatted(sluice.gatewayPort));
    sluice.writePolicy(
        "routes.yaml",
        """
        kind: Route
        name: public
        match: {prefix: /public}
        to: users
        cors: {allowOrigins: ["*"]}
        ---
        kind: Route
        name: download
        match: {prefix: /download}
        to: users
        compression: false
        ---
        kind: Route
        name: users
        to: users
        """);
    sluice.start();
    envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() {
    sluice.close();
    users.close();
  }

  private HttpResponse<byte[]> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.gatewayPort + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aPreflightFromAnAllowedOriginIsAnsweredByEnvoy() throws Exception {
    HttpResponse<byte[]> r =
        send(
            "OPTIONS",
            "/api",
            "origin",
            "https://app.example.com",
            "access-control-request-method",
            "POST");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://app.example.com");
    assertThat(r.headers().firstValue("access-control-allow-methods")).hasValue("GET,POST");
    assertThat(r.headers().firstValue("access-control-max-age")).hasValue("3600");
    assertThat(users.requests()).as("preflights never reach the upstream").isZero();

    HttpResponse<byte[]> other =
        send(
            "OPTIONS",
            "/api",
            "origin",
            "https://evil.example.net",
            "access-control-request-method",
            "POST");
    assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  @Test
  void aRoutesOwnCorsReplacesTheGateways() throws Exception {
    HttpResponse<byte[]> r = send("GET", "/public/x", "origin", "https://anyone.example.net");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://anyone.example.net");
  }

  @Test
  void responsesAreCompressedAsTheClientAsksUnlessTheRouteOptsOut() throws Exception {
    HttpResponse<byte[]> gzip = send("GET", "/api", "accept-encoding", "gzip");
    assertThat(gzip.headers().firstValue("content-encoding")).hasValue("gzip");
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("users");
    }
    HttpResponse<byte[]> br = send("GET", "/api", "accept-encoding", "br");
    assertThat(br.headers().firstValue("content-encoding")).hasValue("br");

    HttpResponse<byte[]> plain = send("GET", "/download/file", "accept-encoding", "gzip, br");
    assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
    assertThat(new String(plain.body(), StandardCharsets.UTF_8)).isEqualTo("users");
  }
}
