package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consul answers that break a request, as users see them: {@code /status} and {@code
 * sluice_registry_stale} say stale and why, the last good catalog keeps serving through a real
 * Envoy, a policy change still reaches it, and discovery resumes when Consul answers well. The
 * Consul here is scripted: a real agent never sends a non-numeric index, a 200 with {@code []} for
 * the service list or {@code null} for a service, nor a 500 on demand.
 */
class ConsulFailuresIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  /** path → {status, X-Consul-Index, body} */
  private final Map<String, String[]> replies = new ConcurrentHashMap<>();

  private HttpServer consul;
  private HttpUpstream u1;
  private HttpUpstream u2;
  private SluiceFixture sluice;

  @BeforeEach
  void start() throws IOException {
    consul = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    consul.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "scripted-consul");
              t.setDaemon(true);
              return t;
            }));
    consul.createContext(
        "/",
        ex -> {
          String[] r =
              replies.getOrDefault(
                  ex.getRequestURI().getRawPath(), new String[] {"404", "1", "not found"});
          ex.getResponseHeaders().set("X-Consul-Index", r[1]);
          byte[] body = r[2].getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(Integer.parseInt(r[0]), body.length == 0 ? -1 : body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    consul.start();
    u1 = HttpUpstream.start("u1");
    u2 = HttpUpstream.start("u2");
  }

  @AfterEach
  void stop() {
    if (sluice != null) {
      sluice.close();
    }
    consul.stop(0);
    u1.close();
    u2.close();
  }

  private void good(String index, HttpUpstream... instances) {
    replies.put(
        "/v1/catalog/services", new String[] {"200", index, "{\"consul\":[],\"users\":[]}"});
    StringBuilder b = new StringBuilder("[");
    for (HttpUpstream u : instances) {
      b.append(b.length() > 1 ? "," : "")
          .append("{\"Node\":{\"Node\":\"n1\",\"Address\":\"127.0.0.1\"},\"Service\":{\"ID\":\"")
          .append(u == u1 ? "u1" : "u2")
          .append("\",\"Service\":\"users\",\"Address\":\"127.0.0.1\",\"Port\":")
          .append(u.port())
          .append("},\"Checks\":[{\"Status\":\"passing\"}]}");
    }
    replies.put("/v1/health/service/users", new String[] {"200", index, b.append(']').toString()});
  }

  private boolean stale() {
    return sluice.status().get("registry").get("stale").asBoolean();
  }

  private String staleMetric() {
    return sluice.server().metrics().prometheus();
  }

  /**
   * {@code sluice_consul_request_errors_total} with these labels, as {@code /metrics} shows it (0
   * when absent).
   */
  private double requestErrors(String endpoint, String reason) {
    Matcher m =
        Pattern.compile(
                "(?m)^sluice_consul_request_errors_total\\{(?=[^}]*endpoint=\""
                    + endpoint
                    + "\")(?=[^}]*reason=\""
                    + reason
                    + "\")[^}]*\\} (\\S+)$")
            .matcher(sluice.admin("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void eachBrokenAnswerIsReportedWhileTheLastGoodCatalogServesAndPoliciesStillApply() {
    good("5", u1);
    sluice =
        new SluiceFixture()
            .consul(ConsulConfig.of("consul://127.0.0.1:" + consul.getAddress().getPort()));
    sluice.writePolicy(
        "routes.yaml", "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
    sluice.start();
    envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(10)).until(() -> sluice.answer("/users").equals("u1"));

    // broken answer: {path, status, index, body, what lastError must say, the request error's
    // labels}
    List<String[]> broken =
        List.of(
            new String[] {
              "/v1/catalog/services",
              "200",
              "abc",
              "{\"consul\":[],\"users\":[]}",
              "invalid X-Consul-Index 'abc'",
              "catalog_services",
              "malformed"
            },
            new String[] {
              "/v1/catalog/services",
              "200",
              "6",
              "[]",
              "/v1/catalog/services with an array, not a JSON object",
              "catalog_services",
              "malformed"
            },
            new String[] {
              "/v1/health/service/users",
              "500",
              "6",
              "rpc error",
              "Consul answered 500 for /v1/health/service/users",
              "health_service",
              "status"
            },
            new String[] {
              "/v1/health/service/users",
              "200",
              "6",
              "null",
              "/v1/health/service/users with null, not a JSON array",
              "health_service",
              "malformed"
            },
            new String[] {
              "/v1/health/service/users",
              "200",
              "6",
              "[1,",
              "/v1/health/service/users with a body that is not JSON",
              "health_service",
              "malformed"
            });
    Map<String, Double> requestErrorsBefore = new HashMap<>();
    int n = 0;
    for (String[] b : broken) {
      n++;
      good("5", u1);
      String[] keep = replies.get(b[0]);
      replies.put(b[0], new String[] {b[1], b[2], b[3]});
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  stale()
                      && sluice.status().get("registry").get("lastError").asText().contains(b[4]));
      assertThat(staleMetric()).containsPattern("(?m)^sluice_registry_stale\\{[^}]*\\} 1(\\.0)?$");
      double before = requestErrorsBefore.getOrDefault(b[5] + b[6], 0.0);
      await().atMost(Duration.ofSeconds(10)).until(() -> requestErrors(b[5], b[6]) > before);
      for (int i = 0; i < 20; i++) {
        assertThat(sluice.answer("/users"))
            .as("the last good catalog serves (%s)", b[4])
            .isEqualTo("u1");
      }
      String route = "/p" + n;
      sluice.writePolicy(
          "p" + n + ".yaml",
          "kind: Route\nname: p" + n + "\nmatch: {prefix: " + route + "}\nto: users\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> sluice.answer(route).equals("u1"));
      assertThat(stale()).isTrue();
      replies.put(b[0], keep);
      await().atMost(Duration.ofSeconds(10)).until(() -> !stale());
      requestErrorsBefore.put(b[5] + b[6], requestErrors(b[5], b[6]));
    }
    // and the loops are all alive: a new instance arrives
    good("9", u1, u2);
    await().atMost(Duration.ofSeconds(10)).until(() -> sluice.answer("/users").equals("u2"));
    assertThat(sluice.status().get("registry").get("lastError").asText()).isEmpty();
    assertThat(staleMetric()).containsPattern("(?m)^sluice_registry_stale\\{[^}]*\\} 0(\\.0)?$");
  }
}
