package dev.sluice.discovery.consul;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consul's HTTP API as this source uses it: GETs with blocking-query parameters, over the JDK
 * client.
 */
final class ConsulHttp {
  /**
   * The largest answer read from Consul: 64 MiB, a catalog of a few hundred thousand instances. A
   * larger one is an error of that request (stale, the last good catalog kept), found while
   * reading: the rest of the answer is cancelled as soon as it passes the limit, so no more is ever
   * held.
   */
  static final long MAX_BODY_BYTES = 64L << 20;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final ConsulConfig config;
  private final HttpClient client;
  private final AtomicLong requests = new AtomicLong();

  /** One answer: the body and {@code X-Consul-Index}. */
  record Answer(JsonNode body, long index) {}

  /** Consul answered, but not with 200. */
  static final class StatusException extends IOException {
    final int status;

    StatusException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final long maxBodyBytes;

  ConsulHttp(ConsulConfig config) {
    this(config, MAX_BODY_BYTES);
  }

  ConsulHttp(ConsulConfig config, long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
    this.config = config;
    this.client = ConsulClients.newClient(config);
  }

  long requests() {
    return requests.get();
  }

  /**
   * GET {@code path} as a blocking query at {@code index} (0 = answer at once).
   *
   * @throws IOException when Consul cannot be reached or does not answer 200
   */
  Answer get(String path, long index, Duration wait) throws IOException, InterruptedException {
    StringBuilder url =
        new StringBuilder(config.address().toString()).append(path).append("?stale=false");
    if (!config.datacenter().isEmpty()) {
      url.append("&dc=").append(URLEncoder.encode(config.datacenter(), StandardCharsets.UTF_8));
    }
    if (index > 0) {
      url.append("&index=").append(index).append("&wait=").append(wait.toSeconds()).append('s');
    }
    // Consul adds up to wait/16 of jitter to a blocking query; give it that and a margin.
    Duration timeout = wait.plus(wait.dividedBy(16)).plusSeconds(10);
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(url.toString())).timeout(timeout).GET();
    config.token().ifPresent(t -> req.header("X-Consul-Token", t));
    requests.incrementAndGet();
    // sendAsync + get, not send: a watcher stopped mid-query must return at once, and only the
    // future's get() answers an interrupt. The client's timeout ends when the headers arrive; the
    // deadline on get() also covers a body that trickles in or never ends.
    var future = client.sendAsync(req.build(), info -> new CappedBody(maxBodyBytes, path));
    HttpResponse<CappedBody.Bytes> resp;
    try {
      resp = future.get(timeout.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new HttpTimeoutException(
          "Consul's answer to "
              + path
              + " did not arrive whole within "
              + timeout.plusSeconds(5).toSeconds()
              + "s");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(String.valueOf(cause), cause);
    }
    try (InputStream in = resp.body().stream()) {
      if (resp.statusCode() != 200) {
        String body = new String(in.readNBytes(200), StandardCharsets.UTF_8).strip();
        throw new StatusException(
            resp.statusCode(),
            "Consul answered "
                + resp.statusCode()
                + " for "
                + path
                + (body.isEmpty() ? "" : ": " + shorten(body)));
      }
      long returned = index(resp.headers().firstValue("X-Consul-Index").orElse(null), path);
      JsonNode body;
      try {
        body = JSON.readTree(in);
      } catch (JsonProcessingException e) {
        throw new BadAnswerException(
            "Consul answered "
                + path
                + " with a body that is not JSON: "
                + shorten(e.getOriginalMessage()));
      }
      return new Answer(body == null ? MissingNode.getInstance() : body, returned);
    }
  }

  /**
   * Collects a body of at most {@code max} bytes as it arrives; one byte more cancels the rest of
   * the answer and fails it with an error naming the limit, so no more than the limit is ever held.
   */
  private static final class CappedBody implements HttpResponse.BodySubscriber<CappedBody.Bytes> {
    /** The bytes received, without a copy. */
    static final class Bytes extends ByteArrayOutputStream {
      InputStream stream() {
        return new ByteArrayInputStream(buf, 0, count);
      }
    }

    private final long max;
    private final String path;
    private final Bytes bytes = new Bytes();
    private final CompletableFuture<Bytes> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    CappedBody(long max, String path) {
      this.max = max;
      this.path = path;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (bytes.size() + (long) b.remaining() > max) {
          result.completeExceptionally(
              new TooLargeException(
                  "Consul's answer to "
                      + path
                      + " is larger than the limit of "
                      + (max >> 20)
                      + " MiB"));
          subscription.cancel();
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(bytes);
    }

    @Override
    public CompletionStage<Bytes> getBody() {
      return result;
    }
  }

  /**
   * {@code segment} percent-encoded as one URL path segment (RFC 3986): every byte of its UTF-8 but
   * the unreserved characters, so a space is {@code %20} (not form encoding's {@code +}) and a
   * {@code /} cannot add a segment.
   */
  static String segment(String segment) {
    StringBuilder out = new StringBuilder();
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** The body if it is a JSON object (the service list); else an error naming what it is. */
  static JsonNode object(JsonNode body, String path) throws BadAnswerException {
    if (!body.isObject()) {
      throw new BadAnswerException(
          "Consul answered " + path + " with " + kind(body) + ", not a JSON object");
    }
    return body;
  }

  /** The body if it is a JSON array (a service's instances); else an error naming what it is. */
  static JsonNode array(JsonNode body, String path) throws BadAnswerException {
    if (!body.isArray()) {
      throw new BadAnswerException(
          "Consul answered " + path + " with " + kind(body) + ", not a JSON array");
    }
    return body;
  }

  static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "an empty body";
    }
    return switch (n.getNodeType()) {
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      default -> "a " + n.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  /** Consul answered 200, but with something it never sends: an error of that request. */
  static final class BadAnswerException extends IOException {
    BadAnswerException(String message) {
      super(message);
    }
  }

  /** An answer larger than the limit: an error of that request. */
  static final class TooLargeException extends IOException {
    TooLargeException(String message) {
      super(message);
    }
  }

  /**
   * {@code X-Consul-Index} as Consul documents it: a decimal number (0 is a known Consul bug that
   * {@link BlockingIndex} turns into 1). Anything else (absent, not a number, negative) is an error
   * of this request, so that the loop backs off and retries with its last good index rather than
   * block on a made-up one.
   */
  static long index(String header, String path) throws BadAnswerException {
    if (header == null) {
      throw new BadAnswerException("Consul answered " + path + " without X-Consul-Index");
    }
    long value;
    try {
      value = Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value < 0) {
      throw new BadAnswerException(
          "Consul answered " + path + " with an invalid X-Consul-Index '" + shorten(header) + "'");
    }
    return value;
  }

  /** At most 80 printable characters of a text Consul sent, for an error message. */
  static String shorten(String text) {
    String s = text.length() > 80 ? text.substring(0, 80) + "…" : text;
    return s.replaceAll("\\p{Cntrl}", "?");
  }
}
