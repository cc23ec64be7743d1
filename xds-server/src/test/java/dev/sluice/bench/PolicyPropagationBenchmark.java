package dev.sluice.bench;

import dev.sluice.server.Registry;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.testing.EnvoyBinary;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a policy change takes to be served by Envoy: with R routes already there (R = 0 and
 * 3,000 by default), N new routes are added one at a time, each in a file of its own saved the way
 * editors do (write beside, rename), and each is timed from the rename to the first 200 from Envoy
 * on that route's path, polled on a kept-alive connection. Optionally under load: wrk on an
 * existing route for the whole run, answered by an upstream Envoy (direct_response) in its own
 * process. Prints one Markdown row per R for docs/benchmarks.md.
 *
 * <p>Run by {@code scripts/bench-propagation}; a measurement, never a pass/fail test.
 *
 * <p>Arguments: N, the list of R (comma-separated), and the path of wrk (or "-" for no load).
 */
public final class PolicyPropagationBenchmark {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    List<Integer> existing = new ArrayList<>();
    for (String r : (args.length > 1 ? args[1] : "0,3000").split(",")) {
      existing.add(Integer.parseInt(r.trim()));
    }
    String wrk = args.length > 2 && !args[2].equals("-") ? args[2] : null;
    System.out.println(
        "| routes already there | load on Envoy | first change after the start | changes after it | p50 | p95 | p99 | max"
            + " | Sluice compile + translate, mean"
            + " | policies read → every Envoy ACKed, mean | Envoy applying a route table, p50 |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    // The upstream in a process of its own, as in production: served from this JVM, wrk's traffic
    // would compete with Sluice for its CPU and heap and count against its figures.
    Path work = Files.createTempDirectory("sluice-bench-upstream");
    int upstreamPort = FreePorts.next();
    try (DataPathBenchmark.StaticEnvoy upstream =
        DataPathBenchmark.StaticEnvoy.start(
            "upstream",
            EnvoyBinary.find(),
            work,
            DataPathBenchmark.bench("upstream-envoy.yaml"),
            config -> DataPathBenchmark.listenerPort(config, upstreamPort))) {
      for (int r : existing) {
        run(n, r, wrk, "127.0.0.1:" + upstreamPort);
      }
    }
    System.exit(0);
  }

  private static void run(int n, int routes, String wrk, String upstream) throws Exception {
    Path dir = Files.createTempDirectory("sluice-bench");
    Path policies = Files.createDirectory(dir.resolve("policies"));
    Path registry = dir.resolve("services.yaml");
    int services = Math.max(routes, 1);
    StringBuilder reg = new StringBuilder("services:\n");
    for (int i = 0; i < services; i++) {
      reg.append("  svc-").append(i).append(": [\"").append(upstream).append("\"]\n");
    }
    Files.writeString(registry, reg);
    int gatewayPort = FreePorts.next();
    Files.writeString(
        policies.resolve("gateway.yaml"), "kind: Gateway\nname: edge\nport: " + gatewayPort + "\n");
    StringBuilder existing =
        new StringBuilder("kind: Route\nname: warm\nmatch: {prefix: /warm}\nto: svc-0\n");
    for (int i = 0; i < routes; i++) {
      existing
          .append("---\nkind: Route\nname: r-")
          .append(i)
          .append("\nmatch: {prefix: /r-")
          .append(i)
          .append("/}\nto: svc-")
          .append(i)
          .append("\n");
    }
    Files.writeString(policies.resolve("routes.yaml"), existing);
    ServerOptions options =
        ServerOptions.builder()
            .registry(new Registry.File(registry))
            .policies(policies)
            .ports(FreePorts.next(), FreePorts.next())
            .build();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (SluiceServer server = SluiceServer.start(options);
        EnvoyProcess envoy =
            EnvoyProcess.start(
                EnvoyExtension.edgeBootstrap(), EnvoyProcess.Options.ads(server.xdsPort()))) {
      envoy.awaitReady(Duration.ofSeconds(60));
      awaitOk(http, gatewayPort, "/warm", Duration.ofSeconds(30));
      Process load =
          wrk == null
              ? null
              : new ProcessBuilder(
                      wrk, "-t1", "-c8", "-d600s", "http://127.0.0.1:" + gatewayPort + "/warm")
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                  .start();
      try {
        // past the JIT warm-up Sluice runs after its first publish (JitWarmUp.BUDGET): the figures
        // are for a running server; the first change after a start is slower
        Thread.sleep(3000);
        double[] before = null;
        double[] acked = null;
        List<Double> millis = new ArrayList<>();
        // change 0 is the first after the start, timed on its own: code that only changes run
        // (the reload, the update paths) is loaded and interpreted then
        double first = 0;
        for (int i = 0; i <= n; i++) {
          String path = "/new-" + i;
          Path tmp = dir.resolve("new-" + i + ".part");
          Files.writeString(
              tmp,
              "kind: Route\nname: new-"
                  + i
                  + "\nmatch: {prefix: "
                  + path
                  + "/}\nto: svc-"
                  + (i % services)
                  + "\n");
          long t0 = System.nanoTime();
          Files.move(tmp, policies.resolve("new-" + i + ".yaml"), StandardCopyOption.ATOMIC_MOVE);
          awaitOk(http, gatewayPort, path + "/", Duration.ofSeconds(20));
          double ms = (System.nanoTime() - t0) / 1e6;
          if (i == 0) {
            first = ms;
            before = metric(server, "sluice_translate_seconds");
            acked = metric(server, "sluice_propagation_seconds");
          } else {
            millis.add(ms);
          }
          Thread.sleep(50); // let the previous change settle: each change is timed on its own
        }
        Collections.sort(millis);
        // Envoy's own time applying each route table (its RDS subscription's update_duration
        // histogram, cumulative P50), to tell Sluice's share of a change from Envoy's
        String rds = envoy.admin("/stats?usedonly&filter=rds.*update_duration").body().trim();
        Matcher p50 = Pattern.compile("P50\\([^,]+,([0-9.]+)\\)").matcher(rds);
        String envoyApply = p50.find() ? p50.group(1) + " ms" : "n/a";
        System.out.println(
            String.format(
                Locale.ROOT,
                "| %,d | %s | %.1f ms | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %s | %s | %s |",
                routes,
                load == null ? "none" : "wrk -c8 on another route",
                first,
                n,
                pct(millis, 50),
                pct(millis, 95),
                pct(millis, 99),
                millis.get(millis.size() - 1),
                meanSince(before, metric(server, "sluice_translate_seconds"), "rebuilds"),
                meanSince(acked, metric(server, "sluice_propagation_seconds"), "changes"),
                envoyApply));
      } finally {
        if (load != null) {
          load.destroy();
        }
      }
    }
  }

  private static void awaitOk(HttpClient http, int port, String path, Duration timeout)
      throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + port + path);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // Envoy may not listen yet
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException(path + " did not answer 200 within " + timeout);
  }

  /**
   * Sum and count of one of Sluice's timing histograms (all its series), from its Prometheus text.
   */
  private static double[] metric(SluiceServer server, String name) {
    double sum = 0;
    double count = 0;
    for (String line : server.metrics().prometheus().split("\n")) {
      if (line.startsWith(name + "_sum")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      } else if (line.startsWith(name + "_count")) {
        count += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return new double[] {sum, count};
  }

  private static String meanSince(double[] before, double[] after, String what) {
    double count = after[1] - before[1];
    return count <= 0
        ? "n/a"
        : String.format(
            Locale.ROOT,
            "%.1f ms (%d %s)",
            (after[0] - before[0]) / count * 1000,
            (long) count,
            what);
  }

  private static double pct(List<Double> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
  }

  private PolicyPropagationBenchmark() {}
}
