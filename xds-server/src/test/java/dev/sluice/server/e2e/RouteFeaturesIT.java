package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each route feature, proven through a real Envoy: what the client gets and what the upstream saw.
 */
class RouteFeaturesIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private HttpUpstream users;
  private HttpUpstream shadow;
  private SluiceFixture sluice;

  @BeforeEach
  void start() {
    users = HttpUpstream.start("users");
    shadow = HttpUpstream.start("shadow");
    sluice = new SluiceFixture();
    sluice.writeRegistry(
        "services:\n  users: [\""
            + users.address()
            + "\"]\n  shadow: [\""
            + shadow.address()
            + "\"]\n");
  }

  @AfterEach
  void stop() {
    sluice.close();
    users.close();
    shadow.close();
  }

  private void serve(String routes) {
    sluice.writePolicy("routes.yaml", routes);
    sluice.start();
    envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
  }

  @Test
  void retriesTurnAnUpstreamThatFailsTwoOfThreeIntoFullSuccess() {
    users.statusByRequest(n -> n % 3 == 0 ? 200 : 503);
    serve("kind: Route\nname: users\nto: users\nretries: {attempts: 2}\n");
    for (int i = 0; i < 30; i++) {
      assertThat(sluice.get("/").statusCode()).as("request %d", i).isEqualTo(200);
    }
    assertThat(users.requests()).as("the upstream saw every retry").isEqualTo(90);
  }

  @Test
  void withoutRetriesTheSameUpstreamFailsTwoOfThree() {
    users.statusByRequest(n -> n % 3 == 0 ? 200 : 503);
    serve("kind: Route\nname: users\nto: users\n");
    long ok = IntStream.range(0, 30).filter(i -> sluice.get("/").statusCode() == 200).count();
    assertThat(ok).isEqualTo(10);
  }

  @Test
  void aMirroredRequestReachesTheShadowWhileTheClientSeesOnlyThePrimary() {
    serve("kind: Route\nname: users\nto: users\nmirror: shadow\n");
    for (int i = 0; i < 20; i++) {
      assertThat(sluice.answer("/orders/" + i)).isEqualTo("users");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> shadow.requests() == 20);
    assertThat(shadow.received().get(0).path()).isEqualTo("/orders/0");
    assertThat(shadow.received().get(0).header("host"))
        .as("Envoy marks mirrored requests")
        .contains("-shadow");
  }

  @Test
  void requestAndResponseHeadersAreSetAddedAndRemoved() {
    serve(
        """
        kind: Route
        name: users
        to: users
        headers:
          request:
            set: {x-env: prod}
            add: {x-tag: edge}
            remove: [x-debug]
          response:
            set: {cache-control: no-store}
            remove: [x-upstream]
        """);
    HttpResponse<String> r = sluice.get("/", "x-env", "dev", "x-tag", "client", "x-debug", "1");
    assertThat(r.statusCode()).isEqualTo(200);
    HttpUpstream.Request seen = users.received().get(0);
    assertThat(seen.header("x-env")).isEqualTo("prod");
    assertThat(seen.headers().get("x-tag")).containsExactly("client", "edge");
    assertThat(seen.header("x-debug")).isNull();
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(r.headers().firstValue("x-upstream")).isEmpty();
  }

  @Test
  void prefixRegexAndHostRewritesChangeWhatTheUpstreamSees() {
    serve(
        """
        kind: Route
        name: v1
        match: {prefix: /api/v1/}
        to: users
        rewrite: {prefix: /, host: users.internal}
        ---
        kind: Route
        name: items
        match: {regex: "^/items/[0-9]+$"}
        to: users
        rewrite:
          regex: {pattern: "^/items/([0-9]+)$", with: "/item/\\\\1/details"}
        """);
    assertThat(sluice.answer("/api/v1/profile")).isEqualTo("users");
    assertThat(sluice.answer("/items/42")).isEqualTo("users");
    assertThat(users.received().get(0).path()).isEqualTo("/profile");
    assertThat(users.received().get(0).header("host")).isEqualTo("users.internal");
    assertThat(users.received().get(1).path()).isEqualTo("/item/42/details");
  }

  @Test
  void redirectsAnswerWithTheLocationAndCode() {
    serve(
        """
        kind: Route
        name: to-https
        match: {prefix: /old/}
        redirect: {scheme: https, host: www.example.com, prefix: /new/, code: 308}
        ---
        kind: Route
        name: moved
        match: {exact: /moved}
        redirect: {path: /here}
        """);
    HttpResponse<String> r = sluice.get("/old/page?x=1");
    assertThat(r.statusCode()).isEqualTo(308);
    assertThat(r.headers().firstValue("location")).hasValue("https://www.example.com/new/page?x=1");
    HttpResponse<String> moved = sluice.get("/moved");
    assertThat(moved.statusCode()).isEqualTo(301);
    assertThat(moved.headers().firstValue("location")).get().asString().endsWith("/here");
    assertThat(users.requests()).isZero();
  }

  @Test
  void aRedirectToAnotherHostKeepsTheListenersPortUnlessAPortOrSchemeIsGiven() {
    serve(
        """
        kind: Route
        name: partners
        match: {prefix: /partners/}
        redirect: {host: partners.example.com}
        ---
        kind: Route
        name: partners-tls
        match: {prefix: /secure/}
        redirect: {host: partners.example.com, scheme: https}
        ---
        kind: Route
        name: partners-port
        match: {prefix: /port/}
        redirect: {host: partners.example.com, port: 9443}
        """);
    assertThat(sluice.get("/partners/offer").headers().firstValue("location"))
        .hasValue("http://partners.example.com:" + sluice.gatewayPort + "/partners/offer");
    assertThat(sluice.get("/secure/offer").headers().firstValue("location"))
        .hasValue("https://partners.example.com/secure/offer");
    assertThat(sluice.get("/port/offer").headers().firstValue("location"))
        .hasValue("http://partners.example.com:9443/port/offer");
  }

  @Test
  void directResponsesAnswerWithoutAnUpstream() {
    serve(
        """
        kind: Route
        name: health
        match: {exact: /healthz}
        respond: {status: 200, body: "ok\\n"}
        ---
        kind: Route
        name: gone
        match: {prefix: /legacy}
        respond: {status: 410}
        """);
    HttpResponse<String> r = sluice.get("/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok\n");
    assertThat(sluice.get("/legacy/x").statusCode()).isEqualTo(410);
    assertThat(users.requests()).isZero();
  }

  @Test
  void queryParametersSelectTheRoute() {
    serve(
        """
        kind: Route
        name: v2
        match:
          prefix: /search
          query: {version: "2", debug: {present: true}, id: {regex: "^[0-9]+$"}}
        to: users
        """);
    assertThat(sluice.get("/search?version=2&debug&id=7").statusCode()).isEqualTo(200);
    assertThat(sluice.get("/search?version=2&debug=1&id=x").statusCode()).isEqualTo(404);
    assertThat(sluice.get("/search?version=1&debug=1&id=7").statusCode()).isEqualTo(404);
    assertThat(sluice.get("/search?version=2&id=7").statusCode()).isEqualTo(404);
  }

  @Test
  void requestAndIdleTimeoutsCutSlowUpstreams() {
    users.delay(Duration.ofMillis(1500));
    serve(
        """
        kind: Route
        name: slow
        match: {prefix: /slow}
        to: users
        timeout: 300ms
        ---
        kind: Route
        name: idle
        match: {prefix: /idle}
        to: users
        timeout: 0s
        idleTimeout: 300ms
        """);
    long t0 = System.nanoTime();
    HttpResponse<String> r = sluice.get("/slow");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).isEqualTo("upstream request timeout");
    assertThat(ms).isLessThan(1200);
    t0 = System.nanoTime();
    HttpResponse<String> idle = sluice.get("/idle");
    ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(idle.statusCode()).isEqualTo(504);
    assertThat(idle.body()).isEqualTo("stream timeout");
    assertThat(ms).isLessThan(1200);
  }
}
