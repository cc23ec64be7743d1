package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Make before break under churn: while clients send requests through a real Envoy, the registry and
 * the routes change every 100 ms — an instance of the busy service comes and another goes, a route
 * and its service appear and another pair disappears — and not one request to the busy route may
 * fail; requests to the routes coming and going get 200 or 404, never a 5xx.
 *
 * <p>The short form runs in the test command ({@value #DEFAULT_SECONDS} s). {@code
 * scripts/bench-churn} runs the same test for 60 s ({@code -Dchurn.seconds=60}) and records the
 * figures ({@code -Dchurn.record=true}).
 */
class ChurnIT {
  static final int DEFAULT_SECONDS = 10;
  private static final int INSTANCES = 4;
  private static final int CHURN_SERVICES = 6;
  private static final int CLIENTS = 4;

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  /**
   * The registry at step {@code step}: two neighbouring instances of {@code busy}, one replaced per
   * step.
   */
  private static String registry(List<HttpUpstream> busy, List<HttpUpstream> churn, int step) {
    StringBuilder b = new StringBuilder("services:\n  busy:\n");
    for (int i = 0; i < 2; i++) {
      b.append("    - \"").append(busy.get((step + i) % busy.size()).address()).append("\"\n");
    }
    for (int i = 0; i < churn.size(); i++) {
      b.append("  churn-").append(i).append(": [\"").append(churn.get(i).address()).append("\"]\n");
    }
    return b.toString();
  }

  /**
   * The routes at step {@code step}: the busy route, and two of the churn routes (one replaced per
   * step).
   */
  private static String routes(int step) {
    StringBuilder b =
        new StringBuilder("kind: Route\nname: busy\nmatch: {prefix: /busy}\nto: busy\n");
    for (int i = 0; i < 2; i++) {
      int n = (step + i) % CHURN_SERVICES;
      b.append("---\nkind: Route\nname: churn-")
          .append(n)
          .append("\nmatch: {prefix: /churn-")
          .append(n)
          .append("}\nto: churn-")
          .append(n)
          .append("\n");
    }
    return b.toString();
  }

  @Test
  void routesAndEndpointsChangingEvery100msUnderLoadFailNoRequest() throws Exception {
    int seconds = Integer.getInteger("churn.seconds", DEFAULT_SECONDS);
    List<HttpUpstream> busy = new ArrayList<>();
    List<HttpUpstream> churn = new ArrayList<>();
    try (SluiceFixture sluice = new SluiceFixture()) {
      for (int i = 0; i < INSTANCES; i++) {
        busy.add(HttpUpstream.start("busy-" + i));
      }
      for (int i = 0; i < CHURN_SERVICES; i++) {
        churn.add(HttpUpstream.start("churn-" + i));
      }
      sluice.writeRegistry(registry(busy, churn, 0));
      sluice.writePolicy("routes.yaml", routes(0));
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      assertThat(sluice.get("/busy").statusCode()).isEqualTo(200);

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong ok = new AtomicLong();
      AtomicLong churnServed = new AtomicLong();
      AtomicLong churnNotYet = new AtomicLong();
      Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
      AtomicInteger currentStep = new AtomicInteger();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        boolean toChurnRoutes = c == CLIENTS - 1;
        HttpClient http =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        Thread t =
            new Thread(
                () -> {
                  while (running.get()) {
                    // the last client calls the route the current step adds and the one it removes:
                    // 404 while Envoy has not applied the step (or once it has), never a 5xx, which
                    // would
                    // mean a route reached Envoy before its cluster, or a cluster left before its
                    // route
                    int at = currentStep.get();
                    String path =
                        toChurnRoutes
                            ? "/churn-"
                                + ((at + (ok.get() % 2 == 0 ? 1 : CHURN_SERVICES - 1))
                                    % CHURN_SERVICES)
                            : "/busy";
                    String outcome;
                    try {
                      HttpResponse<String> r =
                          http.send(
                              HttpRequest.newBuilder(
                                      URI.create("http://127.0.0.1:" + sluice.gatewayPort + path))
                                  .timeout(Duration.ofSeconds(5))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      boolean fine =
                          r.statusCode() / 100 == 2 || (toChurnRoutes && r.statusCode() == 404);
                      if (toChurnRoutes) {
                        (r.statusCode() == 200 ? churnServed : churnNotYet).incrementAndGet();
                      }
                      outcome =
                          fine ? null : "HTTP " + r.statusCode() + " on " + path + ": " + r.body();
                    } catch (IOException e) {
                      outcome = "connection error on " + path + ": " + e;
                    } catch (InterruptedException e) {
                      return;
                    }
                    if (outcome == null) {
                      ok.incrementAndGet();
                    } else {
                      failures.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    }
                  }
                },
                "churn-client-" + c);
        t.start();
        clients.add(t);
      }

      // the benchmark adds wrk's load on the busy route (scripts/bench-churn)
      String wrkBin = System.getProperty("churn.wrk", "");
      Process wrk =
          wrkBin.isEmpty()
              ? null
              : new ProcessBuilder(
                      wrkBin,
                      "-t2",
                      "-c16",
                      "-d" + seconds + "s",
                      "--latency",
                      "http://127.0.0.1:" + sluice.gatewayPort + "/busy")
                  .redirectErrorStream(true)
                  .start();
      long start = System.nanoTime();
      long end = start + Duration.ofSeconds(seconds).toNanos();
      int step = 0;
      while (System.nanoTime() < end) {
        Thread.sleep(100);
        step++;
        sluice.writeRegistry(registry(busy, churn, step));
        sluice.writePolicy("routes.yaml", routes(step));
        currentStep.set(step);
      }
      Thread.sleep(500);
      running.set(false);
      WrkResult wrkResult = wrk == null ? null : WrkResult.of(wrk);
      for (Thread t : clients) {
        t.join(10_000);
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long failed = failures.values().stream().mapToLong(AtomicInteger::get).sum();
      Map<String, Integer> answeredBy = new TreeMap<>();
      busy.forEach(u -> answeredBy.put(u.name(), u.requests()));
      System.out.printf(
          "churn: %d s, %d changes (every 100 ms), %d requests ok (%.0f/s), %d failed %s; busy instances"
              + " answered %s; churning routes answered 200 %d times, 404 %d times%n",
          seconds,
          step * 2,
          ok.get(),
          ok.get() / elapsed,
          failed,
          failures,
          answeredBy,
          churnServed.get(),
          churnNotYet.get());
      if (wrkResult != null) {
        System.out.printf(
            "CHURN-RECORD seconds=%d changes=%d java_ok=%d java_failed=%d wrk_requests=%d wrk_rps=%.0f"
                + " wrk_non2xx=%d wrk_socket_errors=%d wrk_p99=%s%n",
            seconds,
            step * 2,
            ok.get(),
            failed,
            wrkResult.requests(),
            wrkResult.rps(),
            wrkResult.non2xx(),
            wrkResult.socketErrors(),
            wrkResult.p99());
        assertThat(wrkResult.requests()).as("wrk's requests:%n%s", wrkResult.output()).isPositive();
        assertThat(wrkResult.non2xx())
            .as("wrk's non-2xx answers:%n%s", wrkResult.output())
            .isZero();
        assertThat(wrkResult.socketErrors())
            .as("wrk's socket errors:%n%s", wrkResult.output())
            .isZero();
      }
      assertThat(failures).as("requests that failed while routes and endpoints churned").isEmpty();
      assertThat(ok.get()).as("requests sent").isGreaterThan(100L * seconds);
      assertThat(churnServed.get()).as("routes added during the churn were served").isPositive();
      assertThat(answeredBy.values().stream().filter(n -> n > 0).count())
          .as("the endpoint churn reached Envoy")
          .isEqualTo(INSTANCES);
    } finally {
      busy.forEach(HttpUpstream::close);
      churn.forEach(HttpUpstream::close);
    }
  }

  /** What wrk printed: its totals, non-2xx/3xx answers and socket errors. */
  record WrkResult(
      long requests, double rps, long non2xx, long socketErrors, String p99, String output) {
    static WrkResult of(Process wrk) throws Exception {
      String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      wrk.waitFor();
      long requests = find(out, "(\\d+) requests in", 0);
      double rps =
          Double.parseDouble(
              Objects.requireNonNullElse(text(out, "Requests/sec:\\s+([\\d.]+)"), "0"));
      long non2xx = find(out, "Non-2xx or 3xx responses: (\\d+)", 0);
      Matcher m =
          Pattern.compile(
                  "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
              .matcher(out);
      long socket = 0;
      if (m.find()) {
        for (int i = 1; i <= 4; i++) {
          socket += Long.parseLong(m.group(i));
        }
      }
      return new WrkResult(
          requests,
          rps,
          non2xx,
          socket,
          Objects.requireNonNullElse(text(out, "99%\\s+(\\S+)"), "?"),
          out);
    }

    private static long find(String out, String regex, long otherwise) {
      String t = text(out, regex);
      return t == null ? otherwise : Long.parseLong(t);
    }

    private static String text(String out, String regex) {
      Matcher m = Pattern.compile(regex).matcher(out);
      return m.find() ? m.group(1) : null;
    }
  }
}
