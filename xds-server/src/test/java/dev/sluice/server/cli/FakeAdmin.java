package dev.sluice.server.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a server's admin API: fixed bodies by path, an optional bearer token (401 without
 * it), 404 for any other path. Records the requests it got.
 */
final class FakeAdmin implements AutoCloseable {
  private final HttpServer http;
  private final Map<String, String> bodies = new ConcurrentHashMap<>();
  final List<String> requests = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  FakeAdmin(String token) throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getRawPath();
          requests.add(path);
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          authorizations.add(String.valueOf(auth));
          int status;
          String body;
          if (token != null && !("Bearer " + token).equals(auth)) {
            status = 401;
            body = "a bearer token is required";
          } else if (bodies.containsKey(path)) {
            status = 200;
            body = bodies.get(path);
          } else {
            status = 404;
            body = "no such proxy";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    http.start();
  }

  FakeAdmin serve(String path, String body) {
    bodies.put(path, body);
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
