package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.TestJwts;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Access rules as a client meets them: by address (with X-Forwarded-For trusted only from the hops
 * the gateway is told of), by JWT scope and method, and by path after normalisation.
 */
class AccessControlIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private SluiceFixture started(HttpUpstream web, String gatewayExtra, String routes) {
    SluiceFixture sluice = new SluiceFixture();
    sluice.writeRegistry("services:\n  web: [\"" + web.address() + "\"]\n");
    sluice.writePolicy(
        "gateway.yaml",
        "kind: Gateway\nname: edge\nport: " + sluice.gatewayPort + "\n" + gatewayExtra);
    sluice.writePolicy("routes.yaml", routes);
    sluice.start();
    envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
    return sluice;
  }

  private static int status(
      SluiceFixture sluice, String from, String method, String path, String... headers)
      throws Exception {
    return RawHttp.send(from, sluice.gatewayPort, method, path, headers).status();
  }

  @Test
  void aDeniedAddressGets403AndASpoofedForwardedForDoesNotHelp() throws Exception {
    try (HttpUpstream web = HttpUpstream.start("web");
        SluiceFixture sluice =
            started(
                web,
                "access:\n  - deny: {ips: [127.0.0.2/32]}\n  - allow: {}\n",
                "kind: Route\nname: web\nto: web\n")) {
      assertThat(status(sluice, "127.0.0.1", "GET", "/")).isEqualTo(200);
      assertThat(status(sluice, "127.0.0.2", "GET", "/")).isEqualTo(403);
      // no hop is trusted: the address is the connection's, whatever the client claims
      assertThat(status(sluice, "127.0.0.2", "GET", "/", "X-Forwarded-For: 127.0.0.1"))
          .isEqualTo(403);
      assertThat(status(sluice, "127.0.0.2", "GET", "/", "X-Forwarded-For: 10.1.1.1, 127.0.0.1"))
          .isEqualTo(403);
      assertThat(web.requests()).as("only the allowed client got through").isEqualTo(1);
    }
  }

  @Test
  void behindOneTrustedProxyTheClientIsTheAddressThatProxyAppended() throws Exception {
    try (HttpUpstream web = HttpUpstream.start("web");
        SluiceFixture sluice =
            started(
                web,
                "clientIp: {trustedHops: 1}\naccess:\n  - deny: {ips: [192.0.2.0/24]}\n  - allow: {}\n",
                "kind: Route\nname: web\nto: web\n")) {
      // the proxy (this test, from 127.0.0.1) appended the client's address last
      assertThat(status(sluice, "127.0.0.1", "GET", "/", "X-Forwarded-For: 192.0.2.7"))
          .isEqualTo(403);
      assertThat(status(sluice, "127.0.0.1", "GET", "/", "X-Forwarded-For: 198.51.100.1"))
          .isEqualTo(200);
      // the client wrote an allowed address itself; the proxy appended the real one
      assertThat(
              status(sluice, "127.0.0.1", "GET", "/", "X-Forwarded-For: 198.51.100.1, 192.0.2.7"))
          .isEqualTo(403);
      // and a denied address the client made up, before the real one, is ignored
      assertThat(
              status(sluice, "127.0.0.1", "GET", "/", "X-Forwarded-For: 192.0.2.7, 198.51.100.1"))
          .isEqualTo(200);
    }
  }

  @Test
  void onlyATokenWithTheWriteScopeMayPost() throws Exception {
    TestJwts jwts = new TestJwts("k1");
    try (HttpUpstream web = HttpUpstream.start("web");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  web: [\"" + web.address() + "\"]\n");
      Files.writeString(sluice.policies.resolve("jwks.json"), jwts.jwks());
      sluice.writePolicy(
          "jwt.yaml",
          "kind: JwtProvider\nname: auth\nissuer: https://auth.example.com/\njwks: {file: jwks.json}\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: orders
          match: {prefix: /orders}
          to: web
          auth: {jwt: {providers: [auth]}}
          access:
            - allow: {methods: [GET]}
            - allow: {methods: [POST], scopes: ["orders:write"]}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      String reader =
          "Authorization: Bearer "
              + jwts.token(Map.of("iss", "https://auth.example.com/", "scope", "orders:read"));
      String writer =
          "Authorization: Bearer "
              + jwts.token(
                  Map.of("iss", "https://auth.example.com/", "scope", "orders:read orders:write"));
      String listScopes =
          "Authorization: Bearer "
              + jwts.token(
                  Map.of("iss", "https://auth.example.com/", "scp", List.of("orders:write")));

      assertThat(status(sluice, null, "POST", "/orders")).as("no token").isEqualTo(401);
      assertThat(status(sluice, null, "GET", "/orders", reader)).isEqualTo(200);
      assertThat(status(sluice, null, "POST", "/orders", reader)).isEqualTo(403);
      assertThat(status(sluice, null, "POST", "/orders", writer)).isEqualTo(200);
      assertThat(status(sluice, null, "POST", "/orders", listScopes))
          .as("scopes as a list in scp")
          .isEqualTo(200);
      assertThat(status(sluice, null, "DELETE", "/orders", writer))
          .as("no rule matches: default deny")
          .isEqualTo(403);
      assertThat(web.received().stream().map(HttpUpstream.Request::method))
          .containsExactly("GET", "POST", "POST");
    }
  }

  @Test
  void rulesOnConsumersHeadersAndClaimsDecideThroughEnvoy() throws Exception {
    TestJwts jwts = new TestJwts("k1");
    String alice = "sk_alice_0123456789abcdef0123456789abcdef";
    String bob = "sk_bob_fedcba9876543210fedcba9876543210";
    try (HttpUpstream web = HttpUpstream.start("web");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  web: [\"" + web.address() + "\"]\n");
      Files.writeString(sluice.policies.resolve("jwks.json"), jwts.jwks());
      sluice.writePolicy(
          "jwt.yaml",
          "kind: JwtProvider\nname: auth\nissuer: https://auth.example.com/\njwks: {file: jwks.json}\n");
      sluice.writePolicy(
          "consumers.yaml",
          "kind: Consumer\nname: alice\napiKeys: [\"sha256:"
              + ApiKeyAuthIT.sha256(alice)
              + "\"]\n---\nkind: Consumer\nname: bob\napiKeys: [\"sha256:"
              + ApiKeyAuthIT.sha256(bob)
              + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: partner
          match: {prefix: /partner}
          to: web
          auth: {apiKey: true}
          access:
            - allow: {consumers: [alice], headers: {x-env: prod}}
          ---
          kind: Route
          name: reports
          match: {prefix: /reports}
          to: web
          auth: {jwt: {providers: [auth]}}
          access:
            - allow: {claims: {plan: gold}}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      assertThat(status(sluice, null, "GET", "/partner", "X-Api-Key: " + alice, "X-Env: prod"))
          .isEqualTo(200);
      assertThat(status(sluice, null, "GET", "/partner", "X-Api-Key: " + alice, "X-Env: test"))
          .as("header")
          .isEqualTo(403);
      assertThat(status(sluice, null, "GET", "/partner", "X-Api-Key: " + bob, "X-Env: prod"))
          .as("consumer")
          .isEqualTo(403);
      String gold =
          "Authorization: Bearer "
              + jwts.token(Map.of("iss", "https://auth.example.com/", "plan", "gold"));
      String free =
          "Authorization: Bearer "
              + jwts.token(Map.of("iss", "https://auth.example.com/", "plan", "free"));
      String list =
          "Authorization: Bearer "
              + jwts.token(
                  Map.of("iss", "https://auth.example.com/", "plan", List.of("trial", "gold")));
      assertThat(status(sluice, null, "GET", "/reports", gold)).isEqualTo(200);
      assertThat(status(sluice, null, "GET", "/reports", free))
          .as("another claim value")
          .isEqualTo(403);
      assertThat(status(sluice, null, "GET", "/reports", list))
          .as("a list containing the value")
          .isEqualTo(200);
      assertThat(web.requests()).isEqualTo(3);
    }
  }

  @Test
  void aRuleOnAdminCannotBeBypassedWithOddSpellingsOfThePath() throws Exception {
    try (HttpUpstream web = HttpUpstream.start("web");
        SluiceFixture sluice =
            started(
                web,
                "access:\n  - deny: {paths: [/admin]}\n  - allow: {}\n",
                "kind: Route\nname: web\nto: web\n")) {
      assertThat(status(sluice, null, "GET", "/")).isEqualTo(200);
      assertThat(status(sluice, null, "GET", "/administrator"))
          .as("a sibling, not below /admin")
          .isEqualTo(200);
      for (String path :
          new String[] {
            "/admin",
            "/admin/",
            "/admin/users",
            "//admin",
            "/a/../admin",
            "/./admin",
            "/%2e%2e/admin",
            "/a/%2E%2E/admin/x",
            "///admin//users",
            "/%61dmin"
          }) {
        assertThat(status(sluice, null, "GET", path)).as(path).isEqualTo(403);
      }
      // an escaped slash is redirected to its unescaped form, which the rule then meets
      RawHttp.Response escaped = RawHttp.send(null, sluice.gatewayPort, "GET", "/admin%2Fusers");
      assertThat(escaped.status()).isEqualTo(307);
      assertThat(escaped.header("location")).endsWith("/admin/users");
      assertThat(status(sluice, null, "GET", "/x/..%2Fadmin")).isIn(307, 403);
      assertThat(web.received().stream().map(HttpUpstream.Request::path))
          .containsExactly("/", "/administrator");
    }
  }
}
