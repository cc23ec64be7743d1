package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.spi.JettyHttpServer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The admin HTTP endpoint (JSON unless said otherwise; docs/operations.md):
 *
 * <ul>
 *   <li>{@code /healthz} (the process is up) and {@code /ready} (200 once the first complete config
 *       is in the cache): always open, for probes;
 *   <li>{@code /proxies}: each connected Envoy, what it was sent and accepted, its NACKs with
 *       Envoy's error and the policies behind them, its last accepted change;
 *   <li>{@code /changes}: recent changes and how long until every proxy accepted them;
 *   <li>{@code /policies}: each policy document, accepted or rejected and why, and what it affects;
 *   <li>{@code /catalog}: the services and instances the config is built from;
 *   <li>{@code /config/<group or node>}: the resources that proxy should have (YAML);
 *   <li>{@code /status}: all of the above in one document (kept for scripts);
 *   <li>{@code /metrics}: Prometheus text; {@code /}: the status page (HTML).
 * </ul>
 *
 * With a token, every endpoint but the probes wants it as {@code Authorization: Bearer <token>}, or
 * as the password of basic auth so that a browser can open the status page. Without one, they
 * answer only requests addressed to a name of this host ({@link AllowedHosts}), so that a web page
 * that reaches the port through a DNS name of its own cannot read them. Everything is read-only:
 * other methods than GET and HEAD get 405. Every answer forbids framing and content sniffing.
 *
 * <p>The handlers are written to the JDK's {@code HttpServer} API, served by Jetty: its connector
 * reads requests on a selector and takes a thread only once a request's head is complete, so
 * clients that open connections and send half a request (however many, reopened as soon as they are
 * closed) hold no thread, and the probes keep answering. The JDK's own server reads each request on
 * a thread of its pool, which such clients fill.
 */
public final class AdminServer implements AutoCloseable {
  /**
   * The status page needs nothing but its inline style; no script, no frame around it, no form,
   * nothing fetched. Links and its meta refresh are navigations, which this does not restrict.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** Threads that answer requests whose head has arrived; reading a request takes none. */
  public static final int THREADS = 16;

  /**
   * How long a connection may stay silent, while it sends its request or takes its answer, before
   * it is closed; also between requests on a kept-alive connection.
   */
  public static final Duration REQUEST_TIME_LIMIT = Duration.ofSeconds(10);

  /** The largest request head (request line and headers) read; a longer one is answered 431. */
  public static final int MAX_REQUEST_HEAD_BYTES = 8 * 1024;

  private final Server jetty;
  private final ServerConnector connector;
  private final HttpServer http;
  private final AdminView server;
  private final Optional<byte[]> token;
  private final AllowedHosts hosts;

  public AdminServer(String host, int port, AdminView server, Optional<String> token) {
    this.server = server;
    this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
    this.hosts = new AllowedHosts(host, List.of());
    this.jetty = new Server(threads());
    jetty.setHandler(new ContextHandlerCollection());
    this.connector =
        new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(httpConfiguration()));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(REQUEST_TIME_LIMIT.toMillis());
    jetty.addConnector(connector);
    try {
      connector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for admin on port " + port, e);
    }
    this.http =
        new JettyHttpServer(jetty, true); // shared: started and stopped here, with its connector
    probe("/healthz", ex -> send(ex, 200, "text/plain", "ok\n"));
    probe(
        "/ready",
        ex -> {
          boolean ready = server.ready();
          send(
              ex,
              ready ? 200 : 503,
              "text/plain",
              ready ? "ready\n" : "waiting for the first complete config\n");
        });
    guarded(
        "/metrics",
        ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", server.prometheus()));
    guarded("/status", ex -> json(ex, status()));
    guarded("/proxies", ex -> json(ex, AdminJson.proxies(server)));
    guarded("/changes", ex -> json(ex, ChangesView.json(server)));
    guarded("/policies", ex -> json(ex, PolicyView.json(server)));
    guarded("/catalog", ex -> json(ex, AdminJson.catalog(server)));
    guarded("/config/", this::config);
    guarded(
        "/",
        ex -> {
          if (!ex.getRequestURI().getPath().equals("/")) {
            send(
                ex,
                404,
                "text/plain",
                "not found: see / for the status page and docs/operations.md for the API\n");
            return;
          }
          send(ex, 200, "text/html; charset=utf-8", StatusPage.render(server));
        });
  }

  /**
   * A probe answers whatever name a health checker uses (a pod's address, a compose service name):
   * it tells nothing but "ok" or "ready".
   */
  private void probe(String path, HttpHandler handler) {
    http.createContext(
        contextPath(path),
        ex -> {
          if (readOnly(ex)) {
            handler.handle(ex);
          }
        });
  }

  private void guarded(String path, HttpHandler handler) {
    http.createContext(
        contextPath(path),
        ex -> {
          if (!readOnly(ex)) {
            return;
          }
          if (token.isEmpty() && !hosts.allows(ex.getRequestHeaders().getFirst("Host"))) {
            String given = ex.getRequestHeaders().getFirst("Host");
            send(
                ex,
                403,
                "text/plain",
                "refused: "
                    + (given == null ? "no Host header" : "Host " + given)
                    + ". Without an admin token this API answers only requests addressed to "
                    + String.join(", ", hosts.names())
                    + " or an IP address, with any port: a web page that reaches this port through a DNS name of its own"
                    + " (DNS rebinding) is refused so. To use another name, set an admin token (docs/operations.md).\n");
            return;
          }
          if (!authorized(ex)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"sluice admin\"");
            send(
                ex,
                401,
                "text/plain",
                "this admin API needs its token: Authorization: Bearer <token>\n");
            return;
          }
          handler.handle(ex);
        });
  }

  /**
   * A path ending in "/" serves what is under it: Jetty's context for it is named without that
   * slash (a context matches its own path and what is under it).
   */
  private static String contextPath(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** Sets the headers every answer has; answers 405 and false unless the method is GET or HEAD. */
  private static boolean readOnly(HttpExchange ex) throws IOException {
    Headers h = ex.getResponseHeaders();
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    String method = ex.getRequestMethod();
    if (method.equals("GET") || method.equals("HEAD")) {
      return true;
    }
    h.set("Allow", "GET, HEAD");
    send(ex, 405, "text/plain", "the admin API is read-only: GET or HEAD, not " + method + "\n");
    return false;
  }

  /**
   * Bearer token, or any user name with the token as basic-auth password; compared in constant
   * time.
   */
  private boolean authorized(HttpExchange ex) {
    if (token.isEmpty()) {
      return true;
    }
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header == null) {
      return false;
    }
    byte[] given = null;
    if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        given = decoded.substring(decoded.indexOf(':') + 1).getBytes(StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return given != null && MessageDigest.isEqual(given, token.get());
  }

  private void config(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String name = path.length() > "/config/".length() ? path.substring("/config/".length()) : "";
    Optional<String> yaml = ConfigView.of(server, name);
    if (yaml.isEmpty()) {
      send(
          ex,
          404,
          "text/plain",
          "no proxy group or connected node named \""
              + name
              + "\"; groups: "
              + server.targets().keySet()
              + "\n");
      return;
    }
    send(ex, 200, "application/yaml; charset=utf-8", yaml.get());
  }

  /**
   * Answering threads, plus the connector's acceptor and selector, which Jetty takes from this
   * pool.
   */
  private static QueuedThreadPool threads() {
    QueuedThreadPool pool = new QueuedThreadPool(THREADS + 2, 2);
    pool.setName("sluice-admin");
    pool.setDaemon(true);
    return pool;
  }

  /** No server version in answers; the request head bounded. */
  private static HttpConfiguration httpConfiguration() {
    HttpConfiguration c = new HttpConfiguration();
    c.setSendServerVersion(false);
    c.setSendXPoweredBy(false);
    c.setRequestHeaderSize(MAX_REQUEST_HEAD_BYTES);
    return c;
  }

  public AdminServer start() {
    try {
      jetty.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the admin server: " + e, e);
    }
    return this;
  }

  public int port() {
    return connector.getLocalPort();
  }

  private ObjectNode status() {
    ObjectNode root = AdminJson.JSON.createObjectNode();
    root.put("ready", server.ready());
    root.set("snapshots", AdminJson.JSON.valueToTree(server.versions()));
    long serving = server.servingChange();
    if (serving > 0) {
      root.put("servingChange", serving);
    } else {
      root.putNull("servingChange");
    }
    var source = server.registryStatus();
    ObjectNode registry = root.putObject("registry");
    registry.put("source", server.registrySource());
    registry.put("stale", source.stale());
    registry.put(
        "lastSuccess", source.lastSuccess() == null ? null : source.lastSuccess().toString());
    registry.put("lastError", source.lastError());
    registry.put("requests", source.requests());
    registry.put("heldInstances", source.held());
    registry.put("indexResets", source.indexResets());
    root.set("proxies", AdminJson.proxies(server).get("proxies"));
    root.set("controlChannel", ControlChannelView.json(server));
    root.set("changes", ChangesView.json(server).get("changes"));
    root.set("policyFindings", AdminJson.findings(server.policyFindings()));
    root.set("registryFindings", AdminJson.findings(server.registryFindings()));
    return root;
  }

  private static void json(HttpExchange ex, ObjectNode body) throws IOException {
    send(ex, 200, "application/json", AdminJson.JSON.writeValueAsString(body));
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!head) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the admin server: " + e, e);
    }
  }
}
