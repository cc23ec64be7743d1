package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.discovery.DaemonThreads;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.xds.ProxyRegistry;
import dev.sluice.yaml.Finding;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The admin HTTP endpoint: {@code /healthz} (the process is up), {@code /ready} (200 once the
 * first complete config is in the cache), {@code /status} (JSON: snapshot versions, proxies with
 * their ACK/NACK state, the findings of the last policy and registry load) and {@code /metrics}
 * (Prometheus text). The JDK's server is enough for a handful of operator requests.
 */
public final class AdminServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final HttpServer http;
  private final SluiceServer server;

  public AdminServer(String host, int port, SluiceServer server) {
    this.server = server;
    try {
      this.http = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for admin on port " + port, e);
    }
    http.setExecutor(Executors.newFixedThreadPool(2, r -> DaemonThreads.create(r, "sluice-admin")));
    http.createContext("/healthz", ex -> send(ex, 200, "text/plain", "ok\n"));
    http.createContext("/ready", ex -> {
      boolean ready = server.ready();
      send(ex, ready ? 200 : 503, "text/plain", ready ? "ready\n" : "waiting for the first complete config\n");
    });
    http.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4", server.metrics().prometheus()));
    http.createContext("/status", ex -> send(ex, 200, "application/json", JSON.writeValueAsString(status())));
  }

  public AdminServer start() {
    http.start();
    return this;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  private ObjectNode status() {
    ObjectNode root = JSON.createObjectNode();
    root.put("ready", server.ready());
    root.set("snapshots", JSON.valueToTree(server.xds().publisher().versions()));
    if (server.registry() != null) { // null only while the server is starting
      var source = server.registry().status();
      ObjectNode registry = root.putObject("registry");
      registry.put("source", server.registry().describe());
      registry.put("stale", source.stale());
      registry.put("lastSuccess", source.lastSuccess() == null ? null : source.lastSuccess().toString());
      registry.put("lastError", source.lastError());
      registry.put("requests", source.requests());
      registry.put("heldInstances", source.held());
      registry.put("indexResets", source.indexResets());
    }
    ArrayNode proxies = root.putArray("proxies");
    for (ProxyRegistry.ProxyState p : server.xds().proxies().connected()) {
      ObjectNode n = proxies.addObject();
      n.put("node", p.nodeId());
      n.put("group", p.group());
      n.put("stream", p.streamId());
      ObjectNode types = n.putObject("types");
      p.types().forEach((type, t) -> {
        ObjectNode tn = types.putObject(type);
        tn.put("sent", t.lastSentVersion());
        tn.put("acked", t.ackedVersion());
        tn.put("rejected", t.rejectedVersion());
        tn.put("error", t.lastError());
        tn.put("pushes", t.pushes());
        tn.put("nacks", t.nacks());
      });
    }
    root.set("policyFindings", findings(server.pipeline().policyFindings()));
    root.set("registryFindings", findings(server.pipeline().registryFindings()));
    return root;
  }

  private static ArrayNode findings(List<Finding> findings) {
    ArrayNode out = JSON.createArrayNode();
    for (Finding f : findings) {
      ObjectNode n = out.addObject();
      n.put("severity", f.severity().label());
      n.put("file", String.valueOf(f.file()));
      n.put("line", f.position().line());
      n.put("column", f.position().column());
      n.put("resource", f.resource());
      n.put("field", f.field());
      n.put("message", f.message());
      n.put("text", f.format());
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
