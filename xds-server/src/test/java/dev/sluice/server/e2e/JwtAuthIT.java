package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.TestJwts;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * JWTs checked by Envoy against a JwtProvider's keys: only a valid token passes, and its claims go
 * upstream.
 */
class JwtAuthIT {
  private static final String ISSUER = "https://auth.example.com/";

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private final TestJwts signer = new TestJwts("key-1");
  private final TestJwts stranger = new TestJwts("key-1");

  private String token(Map<String, Object> claims) {
    Map<String, Object> all =
        new HashMap<>(Map.of("iss", ISSUER, "aud", "orders-api", "sub", "alice"));
    all.putAll(claims);
    return "Bearer " + signer.token(all);
  }

  @Test
  void onlyAValidTokenPassesAndItsClaimsReachTheUpstream() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      Files.writeString(sluice.policies.resolve("jwks.json"), signer.jwks());
      sluice.writePolicy(
          "jwt.yaml",
          """
          kind: JwtProvider
          name: auth
          issuer: https://auth.example.com/
          audiences: [orders-api]
          jwks: {file: jwks.json}
          clockSkew: 5s
          claimsToHeaders: {sub: x-user-id}
          """);
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: orders
          match: {prefix: /orders}
          to: orders
          auth: {jwt: {providers: [auth]}}
          ---
          kind: Route
          name: catalog
          match: {prefix: /catalog}
          to: orders
          auth: {jwt: {providers: [auth], mode: allowMissing}}
          ---
          kind: Route
          name: home
          to: orders
          auth: {jwt: {providers: [auth], mode: optional}}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      long now = System.currentTimeMillis() / 1000;

      assertThat(sluice.get("/orders").statusCode()).as("no token").isEqualTo(401);
      assertThat(
              sluice.get("/orders", "authorization", token(Map.of("exp", now - 60))).statusCode())
          .as("expired")
          .isEqualTo(401);
      assertThat(
              sluice
                  .get(
                      "/orders", "authorization", token(Map.of("iss", "https://evil.example.com/")))
                  .statusCode())
          .as("wrong issuer")
          .isEqualTo(401);
      assertThat(
              sluice
                  .get("/orders", "authorization", token(Map.of("aud", "billing-api")))
                  .statusCode())
          .as("wrong audience")
          .isEqualTo(401);
      String forged =
          "Bearer " + stranger.token(Map.of("iss", ISSUER, "aud", "orders-api", "sub", "alice"));
      assertThat(sluice.get("/orders", "authorization", forged).statusCode())
          .as("signed by another key")
          .isEqualTo(401);
      assertThat(orders.requests()).isZero();

      assertThat(
              sluice
                  .get("/orders", "authorization", token(Map.of()), "x-user-id", "mallory")
                  .statusCode())
          .as("valid")
          .isEqualTo(200);
      HttpUpstream.Request seen = orders.received().get(0);
      assertThat(seen.header("x-user-id"))
          .as("claim forwarded, the client's own header dropped")
          .isEqualTo("alice");
      assertThat(seen.header("authorization")).as("the token is not forwarded").isNull();

      // allowMissing: no token passes, a bad one does not
      assertThat(sluice.get("/catalog").statusCode()).isEqualTo(200);
      assertThat(sluice.get("/catalog", "authorization", forged).statusCode()).isEqualTo(401);
      // optional: even a bad token passes, but without claims, and the token stays behind too
      assertThat(sluice.get("/", "authorization", forged, "x-user-id", "mallory").statusCode())
          .isEqualTo(200);
      assertThat(last(orders).header("x-user-id")).isNull();
      assertThat(last(orders).header("authorization")).isNull();
      // another scheme in the token's header is not a token: it goes on
      assertThat(sluice.get("/", "authorization", "Basic b3BzOnB3").statusCode()).isEqualTo(200);
      assertThat(last(orders).header("authorization")).isEqualTo("Basic b3BzOnB3");

      // Envoy caches verified tokens (JwtCacheConfig) but still checks expiry on every hit: a
      // token accepted (and cached) while valid is refused once it expires (5 s clock skew)
      long soon = System.currentTimeMillis() / 1000 + 2;
      String shortLived = token(Map.of("exp", soon));
      assertThat(sluice.get("/orders", "authorization", shortLived).statusCode())
          .as("valid, now cached")
          .isEqualTo(200);
      assertThat(sluice.get("/orders", "authorization", shortLived).statusCode())
          .as("from the cache")
          .isEqualTo(200);
      Thread.sleep(Math.max(0, (soon + 5 + 1) * 1000 - System.currentTimeMillis()));
      assertThat(sluice.get("/orders", "authorization", shortLived).statusCode())
          .as("expired while cached")
          .isEqualTo(401);
    }
  }

  @Test
  void keysFetchedFromAJwksUrlThroughAClusterSluiceAdds() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext(
        "/.well-known/jwks.json",
        ex -> {
          fetches.incrementAndGet();
          byte[] body = signer.jwks().getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("content-type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    jwks.start();
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "jwt.yaml",
          "kind: JwtProvider\nname: auth\nissuer: "
              + ISSUER
              + "\njwks: {url: \"http://127.0.0.1:"
              + jwks.getAddress().getPort()
              + "/.well-known/jwks.json\", cacheFor: 10m}\n"
              + "tokenFrom: [{header: Authorization, prefix: \"Bearer \"}, {query: access_token}, {cookie: session}]\n");
      sluice.writePolicy(
          "routes.yaml",
          "kind: Route\nname: orders\nto: orders\nauth: {jwt: {providers: [auth]}}\n");
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      assertThat(sluice.get("/x").statusCode()).isEqualTo(401);
      assertThat(sluice.get("/x", "authorization", token(Map.of())).statusCode()).isEqualTo(200);
      String forged = "Bearer " + stranger.token(Map.of("iss", ISSUER, "aud", "orders-api"));
      assertThat(sluice.get("/x", "authorization", forged).statusCode()).isEqualTo(401);
      String raw = token(Map.of()).substring("Bearer ".length());
      assertThat(sluice.get("/x?a=1&access_token=" + raw + "&b=2%20c").statusCode())
          .as("token in the query")
          .isEqualTo(200);
      assertThat(last(orders).path()).as("the token is not forwarded").isEqualTo("/x?a=1&b=2%20c");
      assertThat(
              sluice.get("/x", "cookie", "theme=dark; session=" + raw + "; lang=en").statusCode())
          .as("token in a cookie")
          .isEqualTo(200);
      assertThat(last(orders).headers().get("cookie"))
          .as("the token is not forwarded, other cookies are")
          .containsExactly("theme=dark; lang=en");
      assertThat(
              sluice
                  .get("/x", "cookie", "session=" + forged.substring("Bearer ".length()))
                  .statusCode())
          .as("a forged token in the cookie")
          .isEqualTo(401);
      assertThat(fetches.get()).as("keys fetched once and cached").isEqualTo(1);
    } finally {
      jwks.stop(0);
    }
  }

  private static HttpUpstream.Request last(HttpUpstream upstream) {
    List<HttpUpstream.Request> received = upstream.received();
    return received.get(received.size() - 1);
  }

  @Test
  void aBucketPerSubjectClaim() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      Files.writeString(sluice.policies.resolve("jwks.json"), signer.jwks());
      sluice.writePolicy(
          "jwt.yaml",
          "kind: JwtProvider\nname: auth\nissuer: " + ISSUER + "\njwks: {file: jwks.json}\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: orders
          to: orders
          auth: {jwt: {providers: [auth]}}
          rateLimit: {requests: 3, per: minute, by: {claim: sub}}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      String alice = token(Map.of("sub", "alice"));
      String bob = token(Map.of("sub", "bob"));
      List<Integer> aliceStatuses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        aliceStatuses.add(sluice.get("/", "authorization", alice).statusCode());
      }
      assertThat(aliceStatuses).containsExactly(200, 200, 200, 429);
      assertThat(sluice.get("/", "authorization", bob).statusCode())
          .as("bob's own bucket")
          .isEqualTo(200);
    }
  }
}
