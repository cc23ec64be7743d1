package dev.sluice.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A tiny real upstream service for tests: an HTTP/1.1 server on 127.0.0.1 that answers every
 * request with {@code 200}, body = its name and header {@code x-upstream: <name>}, and counts the
 * requests it got.
 */
public final class HttpUpstream implements AutoCloseable {
  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet Envoy's delayed
    // ACK, and every request through the gateway takes ~40 ms.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  /** How many recent requests {@link #received()} keeps. */
  public static final int KEEP = 1000;

  /** One request as the upstream saw it; header names are lower case. */
  public record Request(
      String method, String path, Map<String, List<String>> headers, String body) {
    /** The first value of a header, or null. */
    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicInteger count = new AtomicInteger();
  private final Deque<Request> received = new ConcurrentLinkedDeque<>();
  private volatile int status = 200;
  private volatile IntUnaryOperator statusByRequest;
  private volatile long delayMillis;
  private final Map<String, Integer> statusByPath = new ConcurrentHashMap<>();
  private final Map<String, String> responseHeaders = new ConcurrentHashMap<>();

  private HttpUpstream(String name, int port) throws IOException {
    this.name = name;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    this.executor =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "upstream-" + name);
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts an upstream on a free port. */
  public static HttpUpstream start(String name) {
    return start(name, 0);
  }

  /** Starts an upstream on the given port (0 = any free port). */
  public static HttpUpstream start(String name, int port) {
    try {
      return new HttpUpstream(name, port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start upstream " + name + " on 127.0.0.1:" + port, e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Map<String, List<String>> headers = new TreeMap<>();
      exchange
          .getRequestHeaders()
          .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      received.addLast(
          new Request(
              exchange.getRequestMethod(),
              exchange.getRequestURI().toString(),
              Map.copyOf(headers),
              body));
      while (received.size() > KEEP) {
        received.pollFirst();
      }
      int number = count.incrementAndGet();
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      IntUnaryOperator byRequest = statusByRequest;
      Integer forPath = statusByPath.get(exchange.getRequestURI().getPath());
      int answer =
          forPath != null ? forPath : byRequest == null ? status : byRequest.applyAsInt(number);
      byte[] out = name.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("x-upstream", name);
      responseHeaders.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      exchange.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
      boolean head = "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
      exchange.sendResponseHeaders(answer, head ? -1 : out.length);
      if (!head) {
        exchange.getResponseBody().write(out);
      }
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code 127.0.0.1:<port>}, as written in a services registry. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://" + address();
  }

  /** Requests answered so far. */
  public int requests() {
    return count.get();
  }

  /** The most recent requests (up to {@link #KEEP}), oldest first. */
  public List<Request> received() {
    return new ArrayList<>(received);
  }

  /** Answer later requests with this status instead of 200 (e.g. 503 for retry tests). */
  public HttpUpstream status(int status) {
    this.status = status;
    return this;
  }

  /**
   * Answers by request number (1-based, counted since start or {@link #reset()}), e.g. to fail 2 of
   * 3.
   */
  public HttpUpstream statusByRequest(IntUnaryOperator byNumber) {
    this.statusByRequest = byNumber;
    return this;
  }

  /** Answers requests for exactly this path with this status (e.g. a failing /healthz). */
  public HttpUpstream status(String path, int status) {
    statusByPath.put(path, status);
    return this;
  }

  /** Adds this header to every response (e.g. Cache-Control for cache tests). */
  public HttpUpstream responseHeader(String name, String value) {
    responseHeaders.put(name, value);
    return this;
  }

  /** Waits this long before answering (timeout tests). */
  public HttpUpstream delay(Duration delay) {
    this.delayMillis = delay.toMillis();
    return this;
  }

  /** Forgets the count and the recorded requests. */
  public void reset() {
    count.set(0);
    received.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "HttpUpstream[" + name + " @ " + address() + "]";
  }
}
