package dev.sluice.server.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.DaemonThreads;
import dev.sluice.discovery.FileWatcher;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.ir.Compiler;
import dev.sluice.ir.GlobalRateLimitTables;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.globalratelimit.GlobalRateLimitSpec;
import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.server.ratelimit.RateLimitOptions;
import dev.sluice.server.ratelimit.RateLimitServer;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.yaml.Finding;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
      policies -> GlobalRateLimitTables.of(Compiler.compile(ServiceCatalog.EMPTY, policies));

  @Spec CommandSpec spec;

  @Mixin PolicyFolderOption policies;

  @Option(
      names = "--ratelimit-address",
      paramLabel = "ADDRESS",
      description = "Address for gRPC (default: 0.0.0.0).")
  String address = "0.0.0.0";

  @Option(
      names = "--ratelimit-port",
      paramLabel = "PORT",
      description = "Port for gRPC (default: 18002).")
  int port = GlobalRateLimitSpec.DEFAULT_SERVICE_PORT;

  @Mixin CounterStoreOptions counterStore;

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

  // The short names this command also answers to: hidden, so that help shows one name each. Both
  // names write one field (see CounterStoreOptions).

  @Option(names = "--address", hidden = true)
  void addressAlias(String value) {
    address = value;
  }

  @Option(names = "--port", hidden = true)
  void portAlias(int value) {
    port = value;
  }

  RateLimitOptions options() {
    return counterStore.options();
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
        track(new FileWatcher(policies.folder, debounce, this::reload));
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
            policies.folder);
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
      PolicyLoader.Result result = PolicyLoader.load(policies.folder);
      PrintWriter err = spec.commandLine().getErr();
      if (result.policies().isEmpty()) {
        result.findings().stream().filter(Finding::isError).forEach(f -> err.println(f.format()));
        err.println("ratelimit: " + policies.folder + " has errors: keeping the limits in force");
        err.flush();
        return;
      }
      RateLimitTable table = tables.apply(result.policies().get());
      server.table(table);
      LOG.info("rate limits from {}: {} rule(s)", policies.folder, table.rules().size());
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
