package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RawHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A written local rate limit is enforced: over the limit, 429 with X-RateLimit headers. */
class LocalRateLimitIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void ofFiftyRapidRequestsAboutTheLimitPassAndTheRestGet429() {
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy(
          "gateway.yaml",
          "kind: Gateway\nname: edge\nport: "
              + sluice.gatewayPort
              + "\nrateLimit: {requests: 1000, per: second}\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: login
          match: {prefix: /login}
          to: users
          rateLimit: {requests: 10, per: second}
          ---
          kind: Route
          name: users
          to: users
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      int ok = 0;
      int limited = 0;
      HttpResponse<String> last = null;
      long t0 = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        HttpResponse<String> r = sluice.get("/login");
        if (r.statusCode() == 200) {
          ok++;
        } else if (r.statusCode() == 429) {
          limited++;
          last = r;
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      // 10 in the bucket, plus at most 10 more for every second the loop took
      assertThat(ok)
          .as("passed in %.2fs", seconds)
          .isBetween(10, 10 + (int) Math.ceil(seconds * 10));
      assertThat(limited).isEqualTo(50 - ok);
      assertThat(last).isNotNull();
      assertThat(last.headers().firstValue("x-ratelimit-limit")).hasValue("10");
      assertThat(last.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
      assertThat(users.requests()).isEqualTo(ok);

      // the gateway's own, generous limit covers the other routes
      for (int i = 0; i < 50; i++) {
        assertThat(sluice.get("/other").statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void aBucketPerClientAddressOrHeaderValue() throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: by-ip
          match: {prefix: /ip}
          to: users
          rateLimit: {requests: 5, per: minute, by: clientIp}
          ---
          kind: Route
          name: by-tenant
          to: users
          rateLimit: {requests: 5, per: minute, by: {header: x-tenant}}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      assertThat(statuses(sluice, "127.0.0.2", "/ip", 7))
          .containsExactly(200, 200, 200, 200, 200, 429, 429);
      assertThat(statuses(sluice, "127.0.0.3", "/ip", 6))
          .as("another address, another bucket")
          .containsExactly(200, 200, 200, 200, 200, 429);
      assertThat(statuses(sluice, "127.0.0.2", "/t", 6, "X-Tenant: acme"))
          .containsExactly(200, 200, 200, 200, 200, 429);
      assertThat(statuses(sluice, "127.0.0.2", "/t", 6, "X-Tenant: globex"))
          .containsExactly(200, 200, 200, 200, 200, 429);
    }
  }

  @Test
  void aGatewayWideLimitCoversEveryRouteTogetherAndAnswersWithItsStatus() throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy(
          "gateway.yaml",
          "kind: Gateway\nname: edge\nport: "
              + sluice.gatewayPort
              + "\nrateLimit: {requests: 5, per: minute, status: 503}\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: a
          match: {prefix: /a}
          to: users
          ---
          kind: Route
          name: b
          to: users
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      // one bucket for the whole gateway: requests to either route draw from it
      assertThat(statuses(sluice, "127.0.0.2", "/a", 3)).containsExactly(200, 200, 200);
      assertThat(statuses(sluice, "127.0.0.2", "/b", 4)).containsExactly(200, 200, 503, 503);
      assertThat(statuses(sluice, "127.0.0.3", "/a", 1))
          .as("the bucket is the gateway's, not the client's")
          .containsExactly(503);
      assertThat(users.requests()).isEqualTo(5);
    }
  }

  private static List<Integer> statuses(
      SluiceFixture sluice, String from, String path, int n, String... headers) throws Exception {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(RawHttp.send(from, sluice.gatewayPort, "GET", path, headers).status());
    }
    return out;
  }
}
