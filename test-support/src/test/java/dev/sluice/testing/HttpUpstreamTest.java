package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class HttpUpstreamTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void answersWithItsNameAndCounts() throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(users.url() + "/users/7?x=1"))
                  .header("x-test", "yes")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("users");
      assertThat(r.headers().firstValue("x-upstream")).hasValue("users");
      assertThat(users.requests()).isEqualTo(1);
      assertThat(users.received())
          .singleElement()
          .satisfies(
              req -> {
                assertThat(req.method()).isEqualTo("GET");
                assertThat(req.path()).isEqualTo("/users/7?x=1");
                assertThat(req.header("X-Test")).isEqualTo("yes");
              });
      assertThat(users.address()).isEqualTo("127.0.0.1:" + users.port());

      http.send(
          HttpRequest.newBuilder(URI.create(users.url() + "/"))
              .POST(HttpRequest.BodyPublishers.ofString("hi"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(users.requests()).isEqualTo(2);
      assertThat(users.received().get(1).body()).isEqualTo("hi");

      users.status(503);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(users.url())).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(503);
      users.reset();
      assertThat(users.requests()).isZero();
    }
  }

  @Test
  void startsOnAGivenPort() throws Exception {
    int port = FreePorts.next();
    try (HttpUpstream orders = HttpUpstream.start("orders", port)) {
      assertThat(orders.port()).isEqualTo(port);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(orders.url())).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .isEqualTo("orders");
    }
  }

  @Test
  void freePortsAreDistinct() {
    assertThat(FreePorts.next()).isNotEqualTo(FreePorts.next());
  }
}
