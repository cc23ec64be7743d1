package dev.sluice.discovery.consul;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A fake Consul agent for the answers a real one cannot be made to give (a non-numeric {@code
 * X-Consul-Index}, a 200 whose body is not JSON of the right shape, a 500 from one endpoint, a body
 * of hundreds of megabytes). Each path answers what the test last set for it, at once (a blocking
 * query is not held); unset paths answer 404. The raw request paths are kept, so a test can see how
 * a service name was encoded.
 */
final class ScriptedConsul implements AutoCloseable {
  /**
   * One answer: status, {@code X-Consul-Index} (null = no header), body; or {@code streamedBytes}
   * bytes of an array that never closes; or, when negative, a body that stops after its first byte.
   */
  record Reply(int status, String index, String body, long streamedBytes) {
    static Reply ok(String index, String body) {
      return new Reply(200, index, body, 0);
    }
  }

  private final HttpServer http;
  private final Map<String, Reply> replies = new ConcurrentHashMap<>();
  final List<String> rawPaths = new CopyOnWriteArrayList<>();

  ScriptedConsul() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "scripted-consul");
              t.setDaemon(true);
              return t;
            }));
    http.createContext(
        "/",
        ex -> {
          String raw = ex.getRequestURI().getRawPath();
          rawPaths.add(raw);
          Reply r = replies.getOrDefault(raw, new Reply(404, "1", "not found", 0));
          if (r.index() != null) {
            ex.getResponseHeaders().set("X-Consul-Index", r.index());
          }
          ex.getResponseHeaders().set("Content-Type", "application/json");
          try (OutputStream out = ex.getResponseBody()) {
            if (r.streamedBytes() < 0) {
              // a body that never ends: its first byte, then nothing
              ex.sendResponseHeaders(r.status(), 1000);
              out.write('[');
              out.flush();
              Thread.sleep(300_000);
            } else if (r.streamedBytes() > 0) {
              ex.sendResponseHeaders(r.status(), r.streamedBytes());
              byte[] chunk = new byte[1 << 16];
              Arrays.fill(chunk, (byte) ' ');
              chunk[0] = '[';
              for (long sent = 0; sent < r.streamedBytes(); sent += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, r.streamedBytes() - sent));
                chunk[0] = ' ';
              }
            } else {
              byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
              ex.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
              out.write(bytes);
            }
          } catch (IOException e) {
            // the client hung up (a body over its limit): nothing to do
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    http.start();
  }

  /** What {@code rawPath} (as sent, percent-encoded) answers from now on. */
  ScriptedConsul on(String rawPath, Reply reply) {
    replies.put(rawPath, reply);
    return this;
  }

  /** A healthy service list naming {@code services}. */
  ScriptedConsul services(String index, String... services) {
    StringBuilder b = new StringBuilder("{\"consul\":[]");
    for (String s : services) {
      b.append(",\"").append(s).append("\":[]");
    }
    return on("/v1/catalog/services", Reply.ok(index, b.append('}').toString()));
  }

  /** One passing instance of {@code service} at 127.0.0.1:{@code port}. */
  static String instance(String service, String id, String address, int port) {
    return "{\"Node\":{\"Node\":\"n1\",\"Address\":\"127.0.0.1\",\"Datacenter\":\"dc1\"},"
        + "\"Service\":{\"ID\":\""
        + id
        + "\",\"Service\":\""
        + service
        + "\",\"Address\":\""
        + address
        + "\",\"Port\":"
        + port
        + "},"
        + "\"Checks\":[{\"Status\":\"passing\"}]}";
  }

  ConsulConfig config() {
    return ConsulConfig.of("consul://127.0.0.1:" + http.getAddress().getPort())
        .withRecoveryGrace(Duration.ZERO);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
