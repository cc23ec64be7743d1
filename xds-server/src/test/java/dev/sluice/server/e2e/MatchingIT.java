package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Header, method and host-name matching, and the other consistent-hash inputs, through a real
 * Envoy.
 */
class MatchingIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private HttpUpstream a;
  private HttpUpstream b;
  private HttpUpstream c;
  private SluiceFixture sluice;

  @BeforeEach
  void start() {
    a = HttpUpstream.start("a");
    b = HttpUpstream.start("b");
    c = HttpUpstream.start("c");
    sluice = new SluiceFixture();
    sluice.writeRegistry(
        "services:\n  a: [\""
            + a.address()
            + "\"]\n  b: [\""
            + b.address()
            + "\"]\n"
            + "  pool: [\""
            + a.address()
            + "\", \""
            + b.address()
            + "\", \""
            + c.address()
            + "\"]\n");
  }

  @AfterEach
  void stop() {
    sluice.close();
    a.close();
    b.close();
    c.close();
  }

  private void serve(String routes) {
    sluice.writePolicy("routes.yaml", routes);
    sluice.start();
    envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
  }

  /** Every request to the pool service (a, b and c), balanced by {@code loadBalancer}. */
  private static String pool(String loadBalancer) {
    return "kind: Route\nname: pool\nto: pool\n---\nkind: Upstream\nname: pool\nloadBalancer: "
        + loadBalancer
        + "\n";
  }

  private String call(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.gatewayPort + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      r.headers(headers);
    }
    HttpResponse<String> resp = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    return resp.statusCode() == 200 ? resp.body() : "HTTP " + resp.statusCode();
  }

  @Test
  void headerConditionsChooseTheRoute() throws Exception {
    serve(
        """
        kind: Route
        name: canary
        match:
          headers:
            x-canary: "true"
            x-user: {regex: "^u-[0-9]+$"}
            x-debug: {present: false}
        to: b
        ---
        kind: Route
        name: rest
        to: a
        """);
    assertThat(call("GET", "/", "x-canary", "true", "x-user", "u-42")).isEqualTo("b");
    assertThat(call("GET", "/", "x-canary", "true", "x-user", "bob"))
        .as("regex fails")
        .isEqualTo("a");
    assertThat(call("GET", "/", "x-canary", "false", "x-user", "u-42"))
        .as("exact fails")
        .isEqualTo("a");
    assertThat(call("GET", "/", "x-canary", "true", "x-user", "u-42", "x-debug", "1"))
        .as("must be absent")
        .isEqualTo("a");
  }

  @Test
  void methodsChooseTheRoute() throws Exception {
    serve(
        """
        kind: Route
        name: writes
        match: {prefix: /items, methods: [POST, PUT]}
        to: b
        ---
        kind: Route
        name: reads
        match: {prefix: /items, methods: GET}
        to: a
        """);
    assertThat(call("POST", "/items")).isEqualTo("b");
    assertThat(call("PUT", "/items")).isEqualTo("b");
    assertThat(call("GET", "/items")).isEqualTo("a");
    assertThat(call("DELETE", "/items")).isEqualTo("HTTP 404");
  }

  @Test
  void hostNamesChooseTheRoute() throws Exception {
    String self = "127.0.0.1:" + sluice.gatewayPort; // the Host header the JDK client sends
    serve(
        """
        kind: Route
        name: api
        hosts: ["%s"]
        match: {prefix: /api}
        to: b
        ---
        kind: Route
        name: other-host
        hosts: [api.example.com]
        to: a
        """
            .formatted(self));
    assertThat(call("GET", "/api/x")).isEqualTo("b");
    assertThat(call("GET", "/elsewhere")).as("no route of this host matches").isEqualTo("HTTP 404");
  }

  @Test
  void maglevHashesOnAQueryParameter() throws Exception {
    serve(pool("{algorithm: maglev, hashOn: {query: user}}"));
    Set<String> used = new TreeSet<>();
    for (String user : new String[] {"1", "2", "3", "4", "5", "6", "7", "8"}) {
      Set<String> seen = new TreeSet<>();
      for (int i = 0; i < 100; i++) {
        seen.add(call("GET", "/p?user=" + user));
      }
      assertThat(seen).as("instances for user %s", user).hasSize(1);
      used.addAll(seen);
    }
    assertThat(used).hasSizeGreaterThan(1);
  }

  @Test
  void ringHashOnTheSourceAddressKeepsOneClientOnOneInstance() throws Exception {
    serve(pool("{algorithm: ring-hash, hashOn: {sourceIp: true}}"));
    Set<String> fromHere = new TreeSet<>();
    for (int i = 0; i < 100; i++) {
      fromHere.add(call("GET", "/p"));
    }
    assertThat(fromHere).as("one client address, one instance").hasSize(1);
  }

  @Test
  void ringHashOnACookieThatEnvoySetsKeepsAClientOnOneInstance() throws Exception {
    serve(pool("{algorithm: ring-hash, hashOn: {cookie: sticky, ttl: 1h}}"));
    HttpResponse<String> first =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.gatewayPort + "/p"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String setCookie =
        first
            .headers()
            .firstValue("set-cookie")
            .orElseThrow(() -> new AssertionError("Envoy sets the hash cookie"));
    assertThat(setCookie).startsWith("sticky=");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < 100; i++) {
      seen.add(call("GET", "/p", "cookie", cookie));
    }
    assertThat(seen).as("instances for one cookie").hasSize(1);
  }
}
