package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.CapturedStderr;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys and basic auth against Consumers that hold only hashes: Envoy hashes what the client
 * sends, the upstream learns the consumer, and no key reaches a log.
 */
class ApiKeyAuthIT {
  private static final String ALICE_KEY = "sk_alice_8c1f2b7e4d9a4f0b9e6d1c3a5b7f9e2d";
  private static final String BOB_KEY = "sk_bob_0f9e8d7c6b5a49382716a5b4c3d2e1f0";

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  static String sha256(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  static String sha1Htpasswd(String password) throws Exception {
    return "{SHA}"
        + Base64.getEncoder()
            .encodeToString(
                MessageDigest.getInstance("SHA-1")
                    .digest(password.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theRightKeyPassesWithItsConsumerNamedUpstreamAndTheKeyIsInNoLog() throws Exception {
    try (CapturedStderr sluiceLog = new CapturedStderr();
        HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "consumers.yaml",
          "kind: Consumer\nname: alice\napiKeys: [\"sha256:"
              + sha256(ALICE_KEY)
              + "\"]\n---\n"
              + "kind: Consumer\nname: bob\napiKeys: [\"sha256:"
              + sha256(BOB_KEY)
              + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: orders
          match: {prefix: /orders}
          to: orders
          auth: {apiKey: {header: x-api-key}}
          ---
          kind: Route
          name: search
          match: {prefix: /search}
          to: orders
          auth: {apiKey: {query: api_key}}
          ---
          kind: Route
          name: public
          to: orders
          """);
      sluice.start();
      EnvoyProcess edge = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      HttpResponse<String> none = sluice.get("/orders/1");
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("www-authenticate")).hasValue("ApiKey realm=\"sluice\"");
      assertThat(sluice.get("/orders/1", "x-api-key", "sk_alice_wrong").statusCode())
          .isEqualTo(401);
      assertThat(orders.requests()).isZero();

      HttpResponse<String> ok = sluice.get("/orders/1", "x-api-key", ALICE_KEY);
      assertThat(ok.statusCode()).isEqualTo(200);
      HttpUpstream.Request seen = orders.received().get(orders.received().size() - 1);
      assertThat(seen.header("x-sluice-consumer")).isEqualTo("alice");
      assertThat(seen.header("x-api-key")).as("the key is not forwarded").isNull();
      assertThat(sluice.get("/orders/1", "x-api-key", BOB_KEY).statusCode()).isEqualTo(200);
      assertThat(orders.received().get(orders.received().size() - 1).header("x-sluice-consumer"))
          .isEqualTo("bob");

      // from a query parameter, percent-encoding undone
      assertThat(sluice.get("/search?q=x&api_key=" + BOB_KEY.replace("_", "%5F")).statusCode())
          .isEqualTo(200);
      assertThat(orders.received().get(orders.received().size() - 1).header("x-sluice-consumer"))
          .isEqualTo("bob");
      assertThat(sluice.get("/search?q=x&api_key=nope").statusCode()).isEqualTo(401);

      // a client cannot name itself a consumer, not even where no auth runs
      assertThat(sluice.get("/public", "x-sluice-consumer", "alice").statusCode()).isEqualTo(200);
      assertThat(orders.received().get(orders.received().size() - 1).header("x-sluice-consumer"))
          .isNull();

      // the config Envoy runs holds digests only
      String dump = edge.configDump().toString();
      assertThat(dump)
          .contains(sha256(ALICE_KEY))
          .doesNotContain(ALICE_KEY)
          .doesNotContain(BOB_KEY);
      assertThat(sluiceLog.text())
          .as("Sluice's log was captured")
          .contains("SnapshotPublisher - group edge");
      for (String log : new String[] {edge.log(), sluiceLog.text()}) {
        assertThat(log)
            .doesNotContain(ALICE_KEY)
            .doesNotContain(BOB_KEY)
            .doesNotContain("sk_alice_wrong");
      }
    }
  }

  @Test
  void aKeyInTheQueryIsCutOutOfThePathAndEveryOtherParameterReachesTheUpstreamAsSent()
      throws Exception {
    try (HttpUpstream echo = HttpUpstream.start("echo");
        HttpUpstream other = HttpUpstream.start("other");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry(
          "services:\n  echo: [\""
              + echo.address()
              + "\"]\n  other: [\""
              + other.address()
              + "\"]\n");
      sluice.writePolicy(
          "consumers.yaml",
          "kind: Consumer\nname: alice\napiKeys: [\"sha256:" + sha256(ALICE_KEY) + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: echo
          match: {prefix: /echo}
          to: echo
          auth: {apiKey: {query: api_key}}
          ---
          kind: Route
          name: keyed
          match: {prefix: /keyed, query: {api_key: {present: true}}}
          to: echo
          auth: {apiKey: {query: api_key}}
          ---
          kind: Route
          name: unkeyed
          match: {prefix: /keyed}
          to: other
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      // parameters before and after the key keep their order and their encoding
      assertThat(sluice.get("/echo/x?a=1&api_key=" + ALICE_KEY + "&b=2%20c").statusCode())
          .isEqualTo(200);
      HttpUpstream.Request seen = last(echo);
      assertThat(seen.path()).isEqualTo("/echo/x?a=1&b=2%20c");
      assertThat(seen.header("x-sluice-consumer")).isEqualTo("alice");

      // the key alone: no '?' is left behind
      assertThat(sluice.get("/echo/x?api_key=" + ALICE_KEY).statusCode()).isEqualTo(200);
      assertThat(last(echo).path()).isEqualTo("/echo/x");

      // a repeat goes too, and so does a name the upstream would decode to the key's
      assertThat(
              sluice
                  .get("/echo/x?api%5Fkey=" + ALICE_KEY + "&c=%2B&api_key=" + ALICE_KEY + "&&d")
                  .statusCode())
          .isEqualTo(200);
      assertThat(last(echo).path()).isEqualTo("/echo/x?c=%2B&&d");

      // a wrong key never reaches the upstream
      int before = echo.requests();
      HttpResponse<String> wrong = sluice.get("/echo/x?a=1&api_key=sk_alice_wrong&b=2");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.headers().firstValue("www-authenticate"))
          .hasValue("ApiKey realm=\"sluice\"");
      assertThat(echo.requests()).isEqualTo(before);

      // the request goes where its key was checked, though without the key it would match another
      // route
      HttpResponse<String> keyed = sluice.get("/keyed?api_key=" + ALICE_KEY);
      assertThat(keyed.statusCode()).isEqualTo(200);
      assertThat(keyed.body()).isEqualTo("echo");
      assertThat(last(echo).path()).isEqualTo("/keyed");
      assertThat(other.requests()).isZero();

      assertThat(echo.received())
          .extracting(HttpUpstream.Request::path)
          .noneMatch(path -> path.contains(ALICE_KEY));
    }
  }

  private static HttpUpstream.Request last(HttpUpstream upstream) {
    List<HttpUpstream.Request> received = upstream.received();
    return received.get(received.size() - 1);
  }

  @Test
  void aBucketPerConsumerLimitsEachClientOnItsOwn() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "consumers.yaml",
          "kind: Consumer\nname: alice\napiKeys: [\"sha256:"
              + sha256(ALICE_KEY)
              + "\"]\n---\n"
              + "kind: Consumer\nname: bob\napiKeys: [\"sha256:"
              + sha256(BOB_KEY)
              + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: orders
          to: orders
          auth: {apiKey: {header: x-api-key}}
          rateLimit: {requests: 10, per: second, by: consumer}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      int ok = 0;
      HttpResponse<String> limited = null;
      long t0 = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        HttpResponse<String> r = sluice.get("/orders", "x-api-key", ALICE_KEY);
        if (r.statusCode() == 200) {
          ok++;
        } else {
          assertThat(r.statusCode()).isEqualTo(429);
          limited = r;
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(ok)
          .as("alice's passes in %.2fs", seconds)
          .isBetween(10, 10 + (int) Math.ceil(seconds * 10));
      assertThat(limited).isNotNull();
      assertThat(limited.headers().firstValue("x-ratelimit-limit")).hasValue("10");
      assertThat(limited.headers().firstValue("x-ratelimit-remaining")).hasValue("0");

      // bob has a bucket of his own: his first ten pass at once while alice's is empty
      for (int i = 0; i < 10; i++) {
        assertThat(sluice.get("/orders", "x-api-key", BOB_KEY).statusCode())
            .as("bob's request %d", i)
            .isEqualTo(200);
      }
    }
  }

  @Test
  void basicAuthChecksThePasswordHashAndForwardsTheConsumer() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "consumers.yaml",
          "kind: Consumer\nname: ops\npasswordHash: \"" + sha1Htpasswd("s3cret-ops") + "\"\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: internal
          to: orders
          auth: {basic: true}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      assertThat(sluice.get("/").statusCode()).isEqualTo(401);
      assertThat(sluice.get("/", "authorization", basic("ops", "wrong")).statusCode())
          .isEqualTo(401);
      assertThat(sluice.get("/", "authorization", basic("ops", "s3cret-ops")).statusCode())
          .isEqualTo(200);
      assertThat(last(orders).header("x-sluice-consumer")).isEqualTo("ops");
      assertThat(last(orders).header("authorization")).as("the password is not forwarded").isNull();
    }
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
