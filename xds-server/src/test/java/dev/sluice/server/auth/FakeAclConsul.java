package dev.sluice.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Answers {@code POST /v1/internal/acl/authorize} the way Consul 1.16 does (checked against the
 * real one by ConsulProxyAuthIT): 200 with {@code Allow} per rule, 403 "ACL not found" for a token
 * it does not know, 401 when ACLs are off. Records every request.
 */
final class FakeAclConsul implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request: its token header, query and rules. */
  record Request(String token, String query, JsonNode rules) {}

  /** token → the names it may write. */
  final Map<String, Set<String>> tokens = new ConcurrentHashMap<>();

  final List<Request> requests = new CopyOnWriteArrayList<>();

  /** When set, every answer has this status and body instead. */
  volatile Integer status;

  /** Answers wait for this to open. */
  volatile CountDownLatch hold = new CountDownLatch(0);

  private final HttpServer http;
  private final ExecutorService threads = Executors.newCachedThreadPool();

  FakeAclConsul() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(threads);
    http.createContext("/v1/internal/acl/authorize", this::answer);
    http.start();
  }

  private void answer(HttpExchange ex) throws IOException {
    String token = ex.getRequestHeaders().getFirst("X-Consul-Token");
    JsonNode rules = JSON.readTree(ex.getRequestBody());
    requests.add(new Request(token, ex.getRequestURI().getQuery(), rules));
    try {
      hold.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Set<String> writable = token == null ? null : tokens.get(token);
    if (status != null) {
      send(ex, status, "error");
    } else if (writable == null) {
      send(ex, 403, "ACL not found");
    } else {
      var answers = JSON.createArrayNode();
      for (JsonNode r : rules) {
        ObjectNode answer = ((ObjectNode) r).deepCopy();
        answers.add(
            answer.put(
                "Allow",
                r.path("Resource").asText().equals("service")
                    && r.path("Access").asText().equals("write")
                    && writable.contains(r.path("Segment").asText())));
      }
      send(ex, 200, answers.toString());
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  String registry() {
    return "consul://127.0.0.1:" + http.getAddress().getPort();
  }

  private boolean closed;

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    hold.countDown();
    http.stop(0);
    threads.shutdownNow();
  }
}
