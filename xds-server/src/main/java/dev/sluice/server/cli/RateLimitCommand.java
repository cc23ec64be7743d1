package dev.sluice.server.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.DaemonThreads;
import dev.sluice.discovery.FileWatcher;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.server.ratelimit.FailureMode;
import dev.sluice.server.ratelimit.InMemoryStore;
import dev.sluice.server.ratelimit.RateLimitOptions;
import dev.sluice.server.ratelimit.RateLimitServer;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.yaml.Finding;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code sluice ratelimit}: only the global rate-limit service, with the limits of a policy folder
 * (reloaded when a file changes; a folder with errors keeps the last good limits), so that it can
 * be scaled apart from the control plane. Replicas share their counters through {@code --redis}.
 */
@Command(
    name = "ratelimit",
    mixinStandardHelpOptions = true,
    description =
        "Run only the global rate-limit service (Envoy's RateLimitService over gRPC) with the limits of a policy folder.")
final class RateLimitCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitCommand.class);

  /**
   * The limits a policy set gives: the same table {@code sluice serve} computes (endpoints do not
   * matter to it).
   */
  static final Function<PolicySet, RateLimitTable> TABLES =
      policies ->
          dev.sluice.ir.GlobalRateLimitTables.of(
              dev.sluice.ir.Compiler.compile(dev.sluice.discovery.ServiceCatalog.EMPTY, policies));

  @Spec CommandSpec spec;

  @Option(names = "--policies", required = true, description = "The folder of policy YAML files.")
  Path policies;

  @Option(
      names = "--address",
      defaultValue = "0.0.0.0",
      description = "Address for gRPC (default: ${DEFAULT-VALUE}).")
  String address;

  @Option(
      names = "--port",
      defaultValue = "18002",
      description = "Port for gRPC (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--redis",
      description =
          "Count in Redis, shared by every replica: redis://[:password@]host:port[/db]. Default: in memory (one replica).")
  String redis;

  @Option(
      names = "--store-timeout",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description =
          "How long one counter update may take before the failure mode answers (default: ${DEFAULT-VALUE}); keep it below Envoy's ratelimit filter timeout.")
  Duration storeTimeout;

  @Option(
      names = "--failure-mode",
      defaultValue = "open",
      converter = FailureModeConverter.class,
      description =
          "When the store cannot be reached: open (allow), closed (OVER_LIMIT: 429) or unavailable (a gRPC error: Envoy's own failure mode decides). Default: ${DEFAULT-VALUE}.")
  FailureMode failureMode;

  @Option(
      names = "--max-counters",
      defaultValue = "" + InMemoryStore.DEFAULT_MAX_KEYS,
      description = "The in-memory store's bound on live counters (default: ${DEFAULT-VALUE}).")
  int maxCounters;

  @Option(
      names = "--max-counter-bytes",
      defaultValue = "64MiB",
      converter = BytesConverter.class,
      description =
          "The in-memory store's bound on the bytes of its counters, e.g. 64MiB (default: ${DEFAULT-VALUE}); the least recently used go first.")
  long maxCounterBytes;

  @Option(
      names = "--admin-address",
      defaultValue = "127.0.0.1",
      description = "Address for /healthz and /metrics (default: ${DEFAULT-VALUE}).")
  String adminAddress;

  @Option(
      names = "--admin-port",
      defaultValue = "18003",
      description = "Port for /healthz and /metrics (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(
      names = "--debounce",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description = "Quiet time after a file change before reloading (default: ${DEFAULT-VALUE}).")
  Duration debounce;

  private final Function<PolicySet, RateLimitTable> tables;

  RateLimitCommand() {
    this(TABLES);
  }

  RateLimitCommand(Function<PolicySet, RateLimitTable> tables) {
    this.tables = tables;
  }

  static final class FailureModeConverter implements ITypeConverter<FailureMode> {
    @Override
    public FailureMode convert(String value) {
      try {
        return FailureMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(
            "invalid failure mode '" + value + "' (open, closed or unavailable)");
      }
    }
  }

  /** A number of bytes: {@code 1048576}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB}. */
  static final class BytesConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(\\d{1,12})\\s*(|B|KiB|MiB|GiB)").matcher(value.trim());
      if (!m.matches()) {
        throw new TypeConversionException(
            "invalid size '" + value + "' (bytes, or a number with KiB, MiB or GiB)");
      }
      int shift =
          switch (m.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 0;
          };
      long n = Long.parseLong(m.group(1));
      if (n > (Long.MAX_VALUE >> shift)) {
        throw new TypeConversionException("size '" + value + "' is too large");
      }
      return n << shift;
    }
  }

  RateLimitOptions options() {
    return new RateLimitOptions(
        Optional.ofNullable(redis), storeTimeout, failureMode, maxCounters, maxCounterBytes);
  }

  @Override
  public Integer call() throws InterruptedException, IOException {
    Running running = start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  stopped.countDown();
                },
                "sluice-ratelimit-shutdown"));
    stopped.await();
    return 0;
  }

  /** Everything started, closed in reverse order. */
  final class Running implements AutoCloseable {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final RateLimitServer server;
    private final HttpServer admin;

    Running() throws IOException {
      try {
        Telemetry telemetry = track(Telemetry.fromEnvironment());
        RateLimitOptions options = options();
        server = track(new RateLimitServer(address, port, options, telemetry.metrics()));
        reload();
        track(new FileWatcher(policies, debounce, this::reload));
        server.start();
        admin = HttpServer.create(new InetSocketAddress(adminAddress, adminPort), 0);
        admin.setExecutor(
            Executors.newFixedThreadPool(
                1, r -> DaemonThreads.create(r, "sluice-ratelimit-admin")));
        admin.createContext("/healthz", ex -> send(ex, "text/plain", "ok\n"));
        admin.createContext(
            "/metrics",
            ex ->
                send(
                    ex,
                    "text/plain; version=0.0.4; charset=utf-8",
                    telemetry.metrics().prometheus()));
        admin.start();
        track(() -> admin.stop(0));
        LOG.info(
            "sluice rate-limit service on {}:{} ({}), /metrics on {}:{}, policies {}",
            address,
            server.port(),
            options,
            adminAddress,
            admin.getAddress().getPort(),
            policies);
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    private <T extends AutoCloseable> T track(T resource) {
      started.push(resource);
      return resource;
    }

    /** Reads the folder; a folder with errors keeps the limits in force. */
    private synchronized void reload() {
      PolicyLoader.Result result = PolicyLoader.load(policies);
      PrintWriter err = spec.commandLine().getErr();
      if (result.policies().isEmpty()) {
        result.findings().stream().filter(Finding::isError).forEach(f -> err.println(f.format()));
        err.println("ratelimit: " + policies + " has errors: keeping the limits in force");
        err.flush();
        return;
      }
      RateLimitTable table = tables.apply(result.policies().get());
      server.table(table);
      LOG.info("rate limits from {}: {} rule(s)", policies, table.rules().size());
    }

    int port() {
      return server.port();
    }

    int adminPort() {
      return admin.getAddress().getPort();
    }

    @Override
    public void close() {
      while (!started.isEmpty()) {
        try {
          started.pop().close();
        } catch (Exception e) {
          LOG.warn("while stopping: {}", e.toString());
        }
      }
    }
  }

  Running start() throws IOException {
    return new Running();
  }

  private static void send(HttpExchange ex, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
