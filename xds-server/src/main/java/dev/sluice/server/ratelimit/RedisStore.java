package dev.sluice.server.ratelimit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters in Redis, shared by every replica of the service. Each descriptor costs one round trip:
 * {@code EVALSHA} of {@code sliding-window.lua}, which reads the previous window's counter and
 * increments the current one (with an expiry of two windows) atomically on the server, deciding
 * with the same comparison as {@link SlidingWindow}. After a Redis restart the script cache is
 * empty: a {@code NOSCRIPT} answer is retried once with {@code EVAL}.
 *
 * <p>Keys are {@code sluice:rl:{<counter>}:<window number>}; the braces make a window and the one
 * before it land in the same Redis Cluster slot.
 *
 * <p>Never blocks a caller: commands are asynchronous and time out after {@code timeout} (Lettuce's
 * command timeout). While Redis is unreachable, commands fail at once instead of queueing, and
 * Lettuce reconnects in the background (50 ms, doubling to at most 1 s between attempts), so
 * counting resumes by itself within about a second of Redis' return. If Redis is down when the
 * store is created, it tries to connect again at most once a second, on demand.
 */
public final class RedisStore implements CounterStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
  static final String KEY_PREFIX = "sluice:rl:";
  private static final String SCRIPT = script();
  private static final String SHA = sha1(SCRIPT);
  private static final long RECONNECT_EVERY_MILLIS = 1000;

  /** Commands waiting for Redis at most; beyond, a command fails at once. */
  private static final int REQUEST_QUEUE = 10_000;

  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;
  private final AtomicReference<CompletableFuture<StatefulRedisConnection<String, String>>>
      connection = new AtomicReference<>();
  private volatile long nextConnectMillis;

  /**
   * @param uri {@code redis://[:password@]host:port[/database]} (or {@code rediss://} for TLS)
   * @param timeout how long one command may take before it counts as a failure
   */
  // the connection is handled as it completes
  @SuppressWarnings("FutureReturnValueIgnored")
  public RedisStore(String uri, Duration timeout) {
    this.uri = RedisURI.create(uri);
    // for connecting (the handshake of a cold JVM takes a few hundred milliseconds); commands
    // have the store timeout (TimeoutOptions below)
    this.uri.setTimeout(Duration.ofSeconds(2));
    this.resources =
        ClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources, this.uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(REQUEST_QUEUE)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(
                SocketOptions.builder()
                    // not on any request's path (while disconnected, commands fail at once); a cold
                    // JVM's
                    // first connection takes a few hundred milliseconds
                    .connectTimeout(Duration.ofSeconds(2))
                    .keepAlive(true)
                    .tcpNoDelay(true)
                    .build())
            .build());
    connection();
  }

  @Override
  public CompletableFuture<SlidingWindow.Counts> hit(
      String key, long limit, long windowMillis, long hits, boolean enforce, long nowMillis) {
    long index = SlidingWindow.index(nowMillis, windowMillis);
    String base = KEY_PREFIX + "{" + key + "}:";
    String[] keys = {base + index, base + (index - 1)};
    String[] args = {
      Long.toString(hits),
      Long.toString(limit),
      Long.toString(windowMillis),
      Long.toString(SlidingWindow.elapsed(nowMillis, windowMillis)),
      enforce ? "1" : "0"
    };
    return connection()
        .thenCompose(
            c ->
                c.async()
                    .<List<Object>>evalsha(SHA, ScriptOutputType.MULTI, keys, args)
                    .toCompletableFuture()
                    .exceptionallyCompose(
                        e ->
                            unwrap(e) instanceof RedisNoScriptException
                                ? c.async()
                                    .<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args)
                                    .toCompletableFuture()
                                : CompletableFuture.failedFuture(unwrap(e))))
        .thenApply(
            r -> new SlidingWindow.Counts((Long) r.get(0), (Long) r.get(1), (Long) r.get(2) == 1L));
  }

  @Override
  public boolean ready(Duration wait) {
    try {
      connection().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  /**
   * The connection, or the attempt to make it. A failed first attempt is repeated at most once a
   * second; once connected, Lettuce itself reconnects.
   */
  // the connection is handled in whenComplete
  @SuppressWarnings("FutureReturnValueIgnored")
  private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
    CompletableFuture<StatefulRedisConnection<String, String>> current = connection.get();
    if (current != null
        && !(current.isCompletedExceptionally()
            && System.currentTimeMillis() >= nextConnectMillis)) {
      return current;
    }
    CompletableFuture<StatefulRedisConnection<String, String>> attempt = new CompletableFuture<>();
    if (!connection.compareAndSet(current, attempt)) {
      return connection.get();
    }
    nextConnectMillis = System.currentTimeMillis() + RECONNECT_EVERY_MILLIS;
    client
        .connectAsync(StringCodec.UTF8, uri)
        .whenComplete(
            (c, e) -> {
              if (e != null) {
                LOG.warn(
                    "rate-limit store: cannot connect to Redis at {}:{}: {}",
                    uri.getHost(),
                    uri.getPort(),
                    unwrap(e).toString());
                attempt.completeExceptionally(unwrap(e));
              } else {
                LOG.info(
                    "rate-limit store: connected to Redis at {}:{}", uri.getHost(), uri.getPort());
                // load the script now, so that the first requests do not pay for NOSCRIPT and EVAL
                c.async().scriptLoad(SCRIPT).whenComplete((sha, error) -> attempt.complete(c));
              }
            });
    return attempt;
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  @Override
  public String name() {
    return "redis";
  }

  // stopping: nothing waits for the close
  @SuppressWarnings("FutureReturnValueIgnored")
  @Override
  public void close() {
    CompletableFuture<StatefulRedisConnection<String, String>> c = connection.getAndSet(null);
    if (c != null) {
      c.thenAccept(StatefulRedisConnection::close);
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** Where it connects, without any password. */
  @Override
  public String toString() {
    return "RedisStore[" + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase() + "]";
  }

  private static String script() {
    try (InputStream in = RedisStore.class.getResourceAsStream("sliding-window.lua")) {
      if (in == null) {
        throw new IllegalStateException("sliding-window.lua is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
