package dev.sluice.bench;

import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.ratelimit.RateLimitTable.Entry;
import dev.sluice.ratelimit.RateLimitTable.Limit;
import dev.sluice.ratelimit.RateLimitTable.Rule;
import dev.sluice.ratelimit.RateLimitTable.Unit;
import dev.sluice.server.ratelimit.RateLimitOptions;
import dev.sluice.server.ratelimit.RateLimitServer;
import dev.sluice.server.telemetry.Telemetry;
import java.util.List;
import java.util.Optional;

/**
 * The rate-limit service for {@code scripts/bench-ratelimit}, in a process of its own: domain
 * {@code bench}, one rule of 6,000 requests per minute per {@code consumer} (any value), counted in
 * memory or in the Redis given. Prints {@code listening <port>} and serves until stdin closes.
 *
 * <pre>RateLimitBenchServer memory|redis://host:port</pre>
 */
public final class RateLimitBenchServer {
  public static final RateLimitTable TABLE =
      new RateLimitTable(
          List.of(
              new Rule(
                  "bench",
                  List.of(new Entry("consumer", Optional.empty())),
                  new Limit(6_000, Unit.MINUTE, false, false),
                  "bench")));

  public static void main(String[] args) throws Exception {
    RateLimitOptions options = RateLimitOptions.defaults();
    if (args.length > 0 && !args[0].equals("memory")) {
      options = options.withRedis(args[0]);
    }
    try (Telemetry telemetry = Telemetry.fromEnvironment();
        RateLimitServer server =
            new RateLimitServer("127.0.0.1", 0, options, telemetry.metrics()).start()) {
      server.table(TABLE);
      System.out.println("listening " + server.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the benchmark closes our stdin
      }
      long errors =
          telemetry
              .metrics()
              .get(
                  "sluice_ratelimit_store_errors_total",
                  "store",
                  server.store().name(),
                  "failure_mode",
                  "OPEN");
      System.out.println("store errors " + errors);
    }
    System.exit(0);
  }
}
