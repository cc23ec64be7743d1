package dev.sluice.server.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers Consul's two catalog reads the way an agent does ({@code X-Consul-Index}, JSON), from
 * fixed bodies; a blocking query is answered at once with the same index. Checks the ACL token.
 */
final class FakeConsul implements AutoCloseable {
  private final HttpServer http;
  final AtomicInteger requests = new AtomicInteger();

  /**
   * @param health service name → the JSON of /v1/health/service/<name>
   */
  FakeConsul(String token, Map<String, String> health) throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/v1/",
        ex -> {
          requests.incrementAndGet();
          String path = ex.getRequestURI().getPath();
          String body;
          int status = 200;
          if (token != null && !token.equals(ex.getRequestHeaders().getFirst("X-Consul-Token"))) {
            status = 403;
            body = "ACL not found";
          } else if (path.equals("/v1/catalog/services")) {
            StringBuilder b = new StringBuilder("{\"consul\":[]");
            health.keySet().forEach(n -> b.append(",\"").append(n).append("\":[]"));
            body = b.append('}').toString();
          } else if (path.startsWith("/v1/health/service/")
              && health.containsKey(path.substring("/v1/health/service/".length()))) {
            body = health.get(path.substring("/v1/health/service/".length()));
          } else {
            status = 404;
            body = "not found";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("X-Consul-Index", "7");
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(status, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    http.start();
  }

  String address() {
    return "consul://127.0.0.1:" + http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
