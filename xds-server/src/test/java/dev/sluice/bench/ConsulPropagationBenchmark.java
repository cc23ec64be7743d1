package dev.sluice.bench;

import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.server.Registry;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.testing.ConsulAgent;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * How long a Consul registration takes to reach Envoy: N sequential registrations, each timed from
 * Consul's HTTP 200 to the endpoint showing in Envoy's admin {@code /clusters}. Prints percentiles
 * and the xDS pushes it took, as a Markdown block for docs/benchmarks.md. Run by {@code
 * scripts/bench-consul}; a measurement, never a pass/fail test.
 */
public final class ConsulPropagationBenchmark {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    try (ConsulAgent consul = ConsulAgent.start()) {
      Path dir = Files.createTempDirectory("sluice-bench");
      Path policies = Files.createDirectory(dir.resolve("policies"));
      int gatewayPort = FreePorts.next();
      Files.writeString(
          policies.resolve("p.yaml"),
          "kind: Gateway\nname: edge\nport: "
              + gatewayPort
              + "\n---\nkind: Route\nname: bench\nto: bench\n");
      consul.register("bench-0", "bench", 20000, List.of());
      ServerOptions options =
          ServerOptions.builder()
              .registry(new Registry.Consul(ConsulConfig.of(consul.registry())))
              .policies(policies)
              .ports(FreePorts.next(), FreePorts.next())
              .build();
      try (SluiceServer server = SluiceServer.start(options);
          EnvoyProcess envoy =
              EnvoyProcess.start(
                  EnvoyExtension.edgeBootstrap(), EnvoyProcess.Options.ads(server.xdsPort()))) {
        envoy.awaitReady(Duration.ofSeconds(30));
        waitFor(envoy, 20000);
        long pushesBefore = pushes(server);
        List<Double> millis = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          int port = 20000 + i;
          consul.register("bench-" + i, "bench", port, List.of());
          long t0 = System.nanoTime();
          waitFor(envoy, port);
          millis.add((System.nanoTime() - t0) / 1e6);
        }
        long pushes = pushes(server) - pushesBefore;
        Collections.sort(millis);
        System.out.println(
            String.format(
                Locale.ROOT,
                """
            | registrations | p50 | p95 | p99 | max | xDS pushes (all types) |
            |---|---|---|---|---|---|
            | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %d (%.1f per registration) |""",
                n,
                pct(millis, 50),
                pct(millis, 95),
                pct(millis, 99),
                millis.get(millis.size() - 1),
                pushes,
                pushes / (double) n));
      }
    }
    System.exit(0);
  }

  /** Polls Envoy's admin /clusters until the endpoint with {@code port} is listed. */
  private static void waitFor(EnvoyProcess envoy, int port) throws InterruptedException {
    String needle = "bench::127.0.0.1:" + port + "::";
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (envoy.admin("/clusters").body().contains(needle)) {
        return;
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("endpoint :" + port + " did not reach Envoy within 10s");
  }

  private static long pushes(SluiceServer server) {
    long sum = 0;
    for (String type :
        List.of("Cluster", "ClusterLoadAssignment", "Listener", "RouteConfiguration")) {
      sum += server.metrics().get("sluice_xds_pushes_total", "type", type);
    }
    return sum;
  }

  private static double pct(List<Double> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
  }

  private ConsulPropagationBenchmark() {}
}
