package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sluice.server.Registry;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.TestServers;
import dev.sluice.server.ratelimit.RateLimitOptions;
import dev.sluice.testing.EnvoyBinary;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.RepoPaths;
import dev.sluice.testing.TestJwts;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtCacheConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark 4 of issue 10, the data path: wrk (HTTP/1.1) and h2load (HTTP/2, cleartext) against
 *
 * <ul>
 *   <li>(a) the upstream directly: an Envoy that answers every request with a direct_response
 *       ({@code xds-server/src/test/resources/bench/upstream-envoy.yaml});
 *   <li>(b) Envoy with the hand-written static config {@code bench/static-envoy.yaml} beside it,
 *       routing to that upstream;
 *   <li>(c) Envoy bootstrapped from {@code envoy-configs/edge.yaml} with Sluice's config for the
 *       same routes (Sluice in this JVM, a file registry and a policy folder);
 *   <li>(d) (c) plus the common policies: a JWT required on every route (a JwtProvider with a local
 *       JWKS), a gateway-wide local rate limit too high to trigger, a JSON access log to a file.
 * </ul>
 *
 * All proxies run with the same {@code --concurrency} (1 by default: one worker, so that the load
 * generator, one thread, has the other core) and the same flags; every scenario gets the same
 * request ({@code GET /orders/42} with {@code authorization: Bearer <a valid token>}). Rounds
 * alternate the order of the scenarios; the figures are per-scenario medians over the rounds, and
 * the ratios are those of the medians (with the range of the per-round ratios).
 *
 * <p>Two more modes find out what (c) costs more than (b), and why. {@code settings}: (b), (c), a
 * second identical (c) (the noise floor), and (c) with one group of Sluice's edge defaults put back
 * to Envoy's own default at a time (through a step of the tests' own in the server's pipeline, or a
 * copy of the bootstrap without the overload manager), measured like the scenarios, in req/s.
 * {@code instructions}: the same configs, (d), and (d) without each of its policies, every proxy
 * under callgrind ({@link Callgrind}), in instructions per request — a cost that the other load on
 * a shared machine does not move.
 *
 * <p>Run by {@code scripts/bench-datapath}; a measurement, never a pass/fail test. Arguments:
 * seconds per run (in the instructions mode: requests per count), rounds, the path of wrk, the path
 * of h2load, an output folder (config dumps, every run), and optionally the mode ({@code
 * scenarios}, the default, {@code settings} or {@code instructions}). Prints Markdown tables on
 * standard output, progress on standard error.
 */
public final class DataPathBenchmark {
  static final String PATH = "/orders/42";
  static final String ISSUER = "https://auth.bench.example/";
  static final String AUDIENCE = "bench-api";
  static final int WRK_CONNECTIONS = Integer.getInteger("datapath.wrk.connections", 32);
  static final int H2_CONNECTIONS = Integer.getInteger("datapath.h2load.connections", 8);
  static final int H2_STREAMS = Integer.getInteger("datapath.h2load.streams", 8);
  static final int CONCURRENCY = Integer.getInteger("datapath.concurrency", 1);
  static final int WARMUP_SECONDS = Integer.getInteger("datapath.warmup", 2);
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  /** Something the load generators aim at; {@code proxyPid} 0 for the upstream itself. */
  record Target(String key, String label, int port, long proxyPid) {}

  /** One run of one load generator against one target. */
  record Run(
      int round,
      String target,
      String tool,
      double rps,
      double p50Ms,
      double p99Ms,
      long requests,
      long non2xx,
      long errors,
      double seconds,
      double proxyCpuSeconds,
      double upstreamCpuSeconds) {
    /** The proxy's CPU use during the run, in % of one core (NaN for the upstream alone). */
    double proxyCpu() {
      return proxyCpuSeconds / seconds * 100;
    }

    double upstreamCpu() {
      return upstreamCpuSeconds / seconds * 100;
    }

    /**
     * The proxy's CPU time per request, in µs: its cost, much less moved than req/s by other load
     * on the machine.
     */
    double proxyMicrosPerRequest() {
      return proxyCpuSeconds / requests * 1e6;
    }
  }

  /** A group of Sluice's edge defaults, put back to Envoy's own default in the settings mode. */
  record Setting(
      String key,
      String label,
      UnaryOperator<Listener> listener,
      UnaryOperator<Cluster> cluster,
      boolean dropOverloadManager) {}

  static final List<Setting> SETTINGS =
      List.of(
          new Setting(
              "buffer",
              "per_connection_buffer_limit_bytes 32 KiB (listener and cluster) → Envoy's 1 MiB",
              l -> l.toBuilder().clearPerConnectionBufferLimitBytes().build(),
              c -> c.toBuilder().clearPerConnectionBufferLimitBytes().build(),
              false),
          new Setting(
              "http2",
              "http2_protocol_options (100 streams, 64 KiB / 1 MiB windows) → Envoy's defaults",
              hcm(h -> h.clearHttp2ProtocolOptions()),
              UnaryOperator.identity(),
              false),
          new Setting(
              "remote-address",
              "use_remote_address: true → false",
              hcm(h -> h.clearUseRemoteAddress()),
              UnaryOperator.identity(),
              false),
          new Setting(
              "paths",
              "normalize_path, merge_slashes, path_with_escaped_slashes_action → off",
              hcm(
                  h ->
                      h.clearNormalizePath()
                          .clearMergeSlashes()
                          .clearPathWithEscapedSlashesAction()),
              UnaryOperator.identity(),
              false),
          new Setting(
              "underscores",
              "headers_with_underscores_action: REJECT_REQUEST → ALLOW",
              hcm(h -> h.getCommonHttpProtocolOptionsBuilder().clearHeadersWithUnderscoresAction()),
              UnaryOperator.identity(),
              false),
          // (stream_idle_timeout 5m and idle_timeout 1h are Envoy's defaults: nothing to put back)
          new Setting(
              "request-timeout",
              "request_timeout 5m → none (Envoy's default)",
              hcm(h -> h.clearRequestTimeout()),
              UnaryOperator.identity(),
              false),
          new Setting(
              "headers-timeout",
              "request_headers_timeout 10s → none (Envoy's default)",
              hcm(h -> h.clearRequestHeadersTimeout()),
              UnaryOperator.identity(),
              false),
          new Setting(
              "overload",
              "overload manager (bootstrap: fixed_heap + downstream connections monitors) → none",
              UnaryOperator.identity(),
              UnaryOperator.identity(),
              true));

  private DataPathBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    String wrk = args.length > 2 ? args[2] : "wrk";
    String h2load = args.length > 3 ? args[3] : "h2load";
    Path out =
        Files.createDirectories(Path.of(args.length > 4 ? args[4] : "target/bench-datapath"));
    String mode = args.length > 5 ? args[5] : "scenarios";
    if (!List.of("scenarios", "settings", "instructions").contains(mode)) {
      throw new IllegalArgumentException(
          "mode is scenarios, settings or instructions, not " + mode);
    }
    Deque<AutoCloseable> open = new ArrayDeque<>();
    int status = 0;
    try {
      new DataPathBenchmark().run(seconds, rounds, wrk, h2load, out, mode, open);
    } catch (Exception | Error e) {
      e.printStackTrace();
      status = 1;
    } finally {
      while (!open.isEmpty()) {
        try {
          open.pop().close();
        } catch (Exception e) {
          System.err.println("datapath: closing: " + e);
        }
      }
    }
    System.exit(status);
  }

  private void run(
      int seconds,
      int rounds,
      String wrk,
      String h2load,
      Path out,
      String mode,
      Deque<AutoCloseable> open)
      throws Exception {
    Path work = Files.createTempDirectory("sluice-datapath");
    open.push(() -> deleteTree(work));
    TestJwts jwts = new TestJwts("bench-key");
    long now = System.currentTimeMillis() / 1000;
    String token =
        jwts.token(Map.of("iss", ISSUER, "aud", AUDIENCE, "sub", "bench", "exp", now + 7 * 86400));

    // (a) the upstream
    int upstreamPort = FreePorts.next();
    // never under callgrind (the instructions mode points ENVOY_BIN, the proxies' binary, at a
    // wrapper)
    Path realEnvoy =
        Path.of(System.getProperty("datapath.envoy.real", EnvoyBinary.find().toString()));
    StaticEnvoy upstream =
        push(
            open,
            StaticEnvoy.start(
                "upstream",
                realEnvoy,
                work,
                bench("upstream-envoy.yaml"),
                config -> listenerPort(config, upstreamPort)));
    List<Target> targets = new ArrayList<>();
    if (mode.equals("scenarios")) {
      targets.add(new Target("a", "(a) upstream directly", upstreamPort, 0));
    }

    // (b) the hand-written static config
    int staticPort = FreePorts.next();
    StaticEnvoy handWritten =
        push(
            open,
            StaticEnvoy.start(
                "static",
                EnvoyBinary.find(),
                work,
                bench("static-envoy.yaml"),
                config -> {
                  listenerPort(config, staticPort);
                  ((ObjectNode)
                          config.at(
                              "/static_resources/clusters/0/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address"))
                      .put("port_value", upstreamPort);
                }));
    targets.add(
        new Target("b", "(b) Envoy, hand-written static config", staticPort, handWritten.pid()));

    // Sluice's inputs: the registry and the routes are shared by (c), (d) and the variants
    Path registry = work.resolve("services.yaml");
    Files.writeString(registry, "services:\n  backend: [\"127.0.0.1:" + upstreamPort + "\"]\n");
    String routes =
        """
        kind: Route
        name: users
        match: {prefix: /users}
        to: backend
        ---
        kind: Route
        name: orders
        match: {prefix: /orders}
        to: backend
        """;
    Map<String, EnvoyProcess> edges = new LinkedHashMap<>();
    // (c) Sluice's generated config
    int cPort = FreePorts.next();
    EnvoyProcess c =
        sluiceEdge(
            open,
            work,
            "c",
            registry,
            routes,
            "kind: Gateway\nname: edge\nport: " + cPort + "\n",
            Map.of(),
            UnaryOperator.identity(),
            EnvoyExtension.edgeBootstrap(),
            cPort,
            token);
    edges.put("c", c);
    targets.add(new Target("c", "(c) Envoy + Sluice's config", cPort, c.pid()));

    Path accessLog = work.resolve("access-d.log");
    if (!mode.equals("settings")) {
      // (d) plus JWT, a local rate limit that never triggers, a JSON access log
      int dPort = FreePorts.next();
      EnvoyProcess d =
          sluiceEdge(
              open,
              work,
              "d",
              registry,
              routes,
              policiesD(dPort, true, true, accessLog),
              Map.of("jwks.json", jwts.jwks()),
              UnaryOperator.identity(),
              EnvoyExtension.edgeBootstrap(),
              dPort,
              token);
      edges.put("d", d);
      targets.add(new Target("d", "(d) (c) + JWT, local rate limit, access log", dPort, d.pid()));
      int unauthenticated = status(dPort, null);
      if (unauthenticated != 401) {
        throw new IllegalStateException(
            "(d) answered " + unauthenticated + " without a token; the JWT filter is not in force");
      }
    }
    if (mode.equals("instructions")) {
      // what each of (d)'s policies costs: (d) without one of them; and with Envoy's cache of
      // verified tokens
      record Variant(
          String key,
          String label,
          boolean jwt,
          boolean rateLimit,
          boolean log,
          UnaryOperator<XdsResources> hook) {}
      for (Variant v :
          List.of(
              new Variant(
                  "d-no-jwt", "(d) without the JWT", false, true, true, UnaryOperator.identity()),
              new Variant(
                  "d-no-ratelimit",
                  "(d) without the local rate limit",
                  true,
                  false,
                  true,
                  UnaryOperator.identity()),
              new Variant(
                  "d-no-log",
                  "(d) without the access log",
                  true,
                  true,
                  false,
                  UnaryOperator.identity()),
              new Variant(
                  "d-jwt-cache",
                  "(d) with jwt_cache_config (Envoy's cache of verified tokens, 100 entries; not set by Sluice)",
                  true,
                  true,
                  true,
                  hook(
                      new Setting(
                          "jwt-cache",
                          "",
                          hcmFilters(DataPathBenchmark::jwtCache),
                          UnaryOperator.identity(),
                          false))))) {
        int port = FreePorts.next();
        EnvoyProcess e =
            sluiceEdge(
                open,
                work,
                v.key(),
                registry,
                routes,
                policiesD(
                    port,
                    v.jwt(),
                    v.rateLimit(),
                    v.log() ? work.resolve("access-" + v.key() + ".log") : null),
                Map.of("jwks.json", jwts.jwks()),
                v.hook(),
                EnvoyExtension.edgeBootstrap(),
                port,
                token);
        edges.put(v.key(), e);
        targets.add(new Target(v.key(), v.label(), port, e.pid()));
      }
    }
    if (!mode.equals("scenarios")) {
      Path bootstrapWithout = work.resolve("edge-without-overload-manager.yaml");
      ObjectNode edge = (ObjectNode) YAML.readTree(EnvoyExtension.edgeBootstrap().toFile());
      edge.remove("overload_manager");
      YAML.writeValue(bootstrapWithout.toFile(), edge);
      // a second (c), nothing changed: how far two identical configs differ here (the noise floor)
      // (callgrind's counts repeat to within 0.5 %: no need for it there)
      List<Setting> all = new ArrayList<>();
      if (mode.equals("settings")) {
        all.add(new Setting("same", "", UnaryOperator.identity(), UnaryOperator.identity(), false));
      }
      all.addAll(SETTINGS);
      all.add(
          new Setting(
              "all",
              "all of the above",
              chain(SETTINGS.stream().map(Setting::listener).toList()),
              chainClusters(SETTINGS.stream().map(Setting::cluster).toList()),
              true));
      for (Setting s : all) {
        int port = FreePorts.next();
        EnvoyProcess e =
            sluiceEdge(
                open,
                work,
                "c-" + s.key(),
                registry,
                routes,
                "kind: Gateway\nname: edge\nport: " + port + "\n",
                Map.of(),
                hook(s),
                s.dropOverloadManager() ? bootstrapWithout : EnvoyExtension.edgeBootstrap(),
                port,
                token);
        edges.put("c-" + s.key(), e);
        targets.add(
            new Target(
                "c-" + s.key(),
                s.key().equals("same")
                    ? "(c) again, a second identical Envoy (the noise floor)"
                    : "(c) without " + s.label(),
                port,
                e.pid()));
      }
    }

    for (Target t : targets) {
      int code = status(t.port(), token);
      if (code != 200) {
        throw new IllegalStateException(t.label() + " answered " + code + " to GET " + PATH);
      }
    }
    saveConfigs(out, handWritten, edges);
    if (mode.equals("instructions")) {
      Callgrind callgrind =
          new Callgrind(Path.of(System.getProperty("datapath.callgrind.dir")), h2load, token, work);
      // the first argument is the number of requests per measurement here
      List<Count> counts = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        say("round " + (r + 1) + "/" + rounds + ": " + targets.stream().map(Target::key).toList());
        for (Target t : targets) {
          counts.addAll(callgrind.measure(t, seconds, r));
        }
      }
      writeCounts(out.resolve("instructions.csv"), counts);
      printInstructions(targets, counts, seconds, rounds);
      return;
    }

    LoadGen load = new LoadGen(wrk, h2load, token, work, upstream.pid());
    say("warm-up: " + WARMUP_SECONDS + " s of each tool on each of " + targets.size() + " targets");
    for (Target t : targets) {
      load.wrk(t, WARMUP_SECONDS, -1);
      load.h2load(t, WARMUP_SECONDS, -1);
    }
    List<Run> runs = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      List<Target> order = order(targets, r);
      say("round " + (r + 1) + "/" + rounds + ": " + order.stream().map(Target::key).toList());
      for (Target t : order) {
        for (Run run : List.of(load.wrk(t, seconds, r), load.h2load(t, seconds, r))) {
          runs.add(run);
          say(
              String.format(
                  Locale.ROOT,
                  "  %-16s %-6s %,8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %d  errors %d  CPU proxy %3.0f%% "
                      + "(%5.1f µs/req) upstream %3.0f%%",
                  t.key(),
                  run.tool(),
                  run.rps(),
                  run.p50Ms(),
                  run.p99Ms(),
                  run.non2xx(),
                  run.errors(),
                  run.proxyCpu(),
                  run.proxyMicrosPerRequest(),
                  run.upstreamCpu()));
        }
      }
    }
    writeRuns(out.resolve("runs.csv"), runs);

    if (mode.equals("scenarios")) {
      printScenarios(targets, runs, seconds, rounds);
      EnvoyProcess d = edges.get("d");
      long lines;
      try (var stream = Files.lines(accessLog)) {
        lines = stream.count();
      }
      System.out.printf(
          Locale.ROOT,
          "%n(d) checked: 401 without a token; %,d JWTs accepted (jwt_authn.allowed), %,d requests rate limited, %,d access-log lines (the 401 included).%n",
          statSum(d, "jwt_authn.allowed"),
          statSum(d, "rate_limited"),
          lines);
    } else {
      printSettings(targets, runs, seconds, rounds);
    }
  }

  // ---------------------------------------------------------------- Sluice and the Envoys

  /**
   * The policies of (d): a Gateway with a required JWT, a local rate limit, an access log (each
   * optional), and the JwtProvider.
   */
  static String policiesD(int port, boolean jwt, boolean rateLimit, Path accessLog) {
    StringBuilder p = new StringBuilder("kind: Gateway\nname: edge\nport: " + port + "\n");
    if (jwt) {
      p.append("auth: {jwt: {providers: [bench]}}\n");
    }
    if (rateLimit) {
      p.append(
          "rateLimit: {requests: 1000000, per: second}\n"); // never reached: no request is limited
    }
    if (accessLog != null) {
      p.append("telemetry:\n  accessLog: {path: ").append(accessLog).append("}\n");
    }
    p.append("---\nkind: JwtProvider\nname: bench\nissuer: ")
        .append(ISSUER)
        .append("\naudiences: [")
        .append(AUDIENCE)
        .append("]\njwks: {file: jwks.json}\n");
    return p.toString();
  }

  /** Turns on jwt_authn's cache of verified tokens (jwt_cache_config) for every provider. */
  static void jwtCache(HttpFilter.Builder filter) {
    if (!filter.getTypedConfig().is(JwtAuthentication.class)) {
      return;
    }
    try {
      JwtAuthentication.Builder jwt =
          filter.getTypedConfig().unpack(JwtAuthentication.class).toBuilder();
      for (String name : List.copyOf(jwt.getProvidersMap().keySet())) {
        jwt.putProviders(
            name,
            jwt.getProvidersMap().get(name).toBuilder()
                .setJwtCacheConfig(JwtCacheConfig.newBuilder().setJwtCacheSize(100))
                .build());
      }
      filter.setTypedConfig(Any.pack(jwt.build()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private EnvoyProcess sluiceEdge(
      Deque<AutoCloseable> open,
      Path work,
      String key,
      Path registry,
      String routes,
      String gateway,
      Map<String, String> files,
      UnaryOperator<XdsResources> hook,
      Path bootstrap,
      int port,
      String token)
      throws Exception {
    Path policies = Files.createDirectories(work.resolve("policies-" + key));
    Files.writeString(policies.resolve("gateway.yaml"), gateway);
    Files.writeString(policies.resolve("routes.yaml"), routes);
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(policies.resolve(f.getKey()), f.getValue());
    }
    ServerOptions options =
        ServerOptions.builder()
            .registry(new Registry.File(registry))
            .policies(policies)
            .ports(FreePorts.next(), FreePorts.next())
            .rateLimit(-1, RateLimitOptions.defaults())
            .build();
    SluiceServer server = push(open, TestServers.start(options, hook));
    EnvoyProcess envoy =
        push(
            open,
            EnvoyProcess.start(
                bootstrap,
                EnvoyProcess.Options.ads(server.xdsPort())
                    .node("bench-" + key, "edge")
                    .logLevel("warn")
                    .concurrency(CONCURRENCY)));
    envoy.awaitReady(Duration.ofSeconds(180));
    awaitStatus(port, token, 200, Duration.ofSeconds(120));
    return envoy;
  }

  /** An Envoy with a static config of ours, started with the same flags as {@link EnvoyProcess}. */
  static final class StaticEnvoy implements AutoCloseable {
    private final Process process;
    private final int adminPort;
    private final Path log;

    private StaticEnvoy(Process process, int adminPort, Path log) {
      this.process = process;
      this.adminPort = adminPort;
      this.log = log;
    }

    static StaticEnvoy start(
        String name, Path binary, Path work, Path template, Consumer<ObjectNode> edit)
        throws Exception {
      ObjectNode config = (ObjectNode) YAML.readTree(template.toFile());
      edit.accept(config);
      int adminPort = FreePorts.next();
      ((ObjectNode) config.at("/admin/address/socket_address")).put("port_value", adminPort);
      Path file = work.resolve(name + "-envoy.yaml");
      YAML.writeValue(file.toFile(), config);
      Path log = work.resolve(name + "-envoy.log");
      List<String> command =
          List.of(
              binary.toString(),
              "-c",
              file.toString(),
              "--disable-hot-restart",
              "--log-level",
              "warn",
              "--log-path",
              log.toString(),
              "--file-flush-interval-msec",
              "100",
              "--concurrency",
              Integer.toString(CONCURRENCY));
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(work.resolve(name + "-envoy.out").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
      StaticEnvoy envoy = new StaticEnvoy(p, adminPort, log);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              name
                  + " Envoy exited: "
                  + Files.readString(work.resolve(name + "-envoy.out"))
                  + Files.readString(log));
        }
        try {
          HttpResponse<String> r =
              HTTP.send(
                  HttpRequest.newBuilder(URI.create(envoy.adminUrl() + "/ready")).build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return envoy;
          }
        } catch (IOException e) {
          // not up yet
        }
        Thread.sleep(50);
      }
      envoy.close();
      throw new IllegalStateException(name + " Envoy was not ready within 120 s");
    }

    long pid() {
      return process.pid();
    }

    String adminUrl() {
      return "http://127.0.0.1:" + adminPort;
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  // ---------------------------------------------------------------- load generators

  /** Runs wrk and h2load and reads their figures; also the CPU the proxy and the upstream used. */
  static final class LoadGen {
    private final String wrk;
    private final String h2load;
    private final String token;
    private final Path work;
    private final long upstreamPid;

    LoadGen(String wrk, String h2load, String token, Path work, long upstreamPid) {
      this.wrk = wrk;
      this.h2load = h2load;
      this.token = token;
      this.work = work;
      this.upstreamPid = upstreamPid;
    }

    Run wrk(Target t, int seconds, int round) throws Exception {
      List<String> cmd =
          List.of(
              wrk,
              "-t1",
              "-c" + WRK_CONNECTIONS,
              "-d" + seconds + "s",
              "--latency",
              "-H",
              "authorization: Bearer " + token,
              url(t));
      Measured m = measure(cmd, t);
      String o = m.output();
      double rps = number(o, "Requests/sec:\\s+([0-9.]+)");
      long requests = (long) number(o, "(\\d+) requests in");
      long non2xx =
          find(o, "Non-2xx or 3xx responses: (\\d+)") == null
              ? 0
              : (long) number(o, "Non-2xx or 3xx responses: (\\d+)");
      long errors = 0;
      Matcher e =
          Pattern.compile(
                  "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
              .matcher(o);
      if (e.find()) {
        for (int i = 1; i <= 4; i++) {
          errors += Long.parseLong(e.group(i));
        }
      }
      return new Run(
          round,
          t.key(),
          "wrk",
          rps,
          wrkLatency(o, "50"),
          wrkLatency(o, "99"),
          requests,
          non2xx,
          errors,
          m.seconds(),
          m.proxyCpuSeconds(),
          m.upstreamCpuSeconds());
    }

    Run h2load(Target t, int seconds, int round) throws Exception {
      Path log = work.resolve("h2load.log");
      Files.deleteIfExists(log);
      List<String> cmd =
          List.of(
              h2load,
              "-t1",
              "-c" + H2_CONNECTIONS,
              "-m" + H2_STREAMS,
              "-D",
              Integer.toString(seconds),
              "-H",
              "authorization: Bearer " + token,
              "--log-file=" + log,
              url(t));
      Measured m = measure(cmd, t);
      String o = m.output();
      double rps = number(o, "finished in [0-9.]+m?s, ([0-9.]+) req/s");
      Matcher r =
          Pattern.compile(
                  "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout")
              .matcher(o);
      Matcher s =
          Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx")
              .matcher(o);
      if (!r.find() || !s.find()) {
        throw new IllegalStateException("cannot read h2load's output:\n" + o);
      }
      long done = Long.parseLong(r.group(3));
      long errors =
          Long.parseLong(r.group(5)) + Long.parseLong(r.group(6)) + Long.parseLong(r.group(7));
      long non2xx =
          Long.parseLong(s.group(2)) + Long.parseLong(s.group(3)) + Long.parseLong(s.group(4));
      // h2load prints no percentiles; its log has one line per request: start (µs), status,
      // duration (µs)
      long[] micros;
      try (var lines = Files.lines(log)) {
        micros =
            lines
                .map(l -> l.split("\t"))
                .filter(f -> f.length >= 3)
                .mapToLong(f -> Long.parseLong(f[2].trim()))
                .sorted()
                .toArray();
      }
      Files.deleteIfExists(log);
      return new Run(
          round,
          t.key(),
          "h2load",
          rps,
          percentile(micros, 50) / 1000.0,
          percentile(micros, 99) / 1000.0,
          done,
          non2xx,
          errors,
          m.seconds(),
          m.proxyCpuSeconds(),
          m.upstreamCpuSeconds());
    }

    /**
     * A load generator's output, how long it ran, and the CPU seconds the proxy and the upstream
     * used meanwhile.
     */
    private record Measured(
        String output, double seconds, double proxyCpuSeconds, double upstreamCpuSeconds) {}

    private Measured measure(List<String> cmd, Target t) throws Exception {
      long proxy0 = t.proxyPid() == 0 ? 0 : cpuTicks(t.proxyPid());
      long up0 = cpuTicks(upstreamPid);
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int code = p.waitFor();
      double elapsed = (System.nanoTime() - t0) / 1e9;
      long proxy1 = t.proxyPid() == 0 ? 0 : cpuTicks(t.proxyPid());
      long up1 = cpuTicks(upstreamPid);
      if (code != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " exited " + code + ":\n" + output);
      }
      return new Measured(
          output,
          elapsed,
          t.proxyPid() == 0 ? Double.NaN : (proxy1 - proxy0) / TICKS,
          (up1 - up0) / TICKS);
    }

    private static String url(Target t) {
      return "http://127.0.0.1:" + t.port() + PATH;
    }
  }

  /**
   * One count of the instructions a proxy ran for a known number of requests: its threads but the
   * main one (the workers, and the access-log flush thread), and its main thread on its own (stats
   * flushes, the overload manager's refresh, xDS: work per second, not per request, and stretched
   * by callgrind's slow-down).
   */
  record Count(
      int round,
      String target,
      String protocol,
      long requests,
      long workerInstructions,
      long mainInstructions) {
    double perRequest() {
      return (double) workerInstructions / requests;
    }
  }

  /**
   * Counts, with callgrind, the instructions a proxy runs per request: a measure of its cost that
   * does not move with the other load on the machine (two counts of the same config agree to within
   * 0.5 %), where req/s and CPU time move by tens of percent on a busy machine. Every proxy runs
   * under {@code valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes} (the script's
   * ENVOY_BIN wrapper); here, per proxy: instrumentation on, a warm-up, then for each protocol
   * counters zeroed, h2load sends a fixed number of requests, counters dumped and read. Callgrind
   * counts user-space instructions only: the kernel's share (the same syscalls for every config
   * here) is not in them.
   */
  static final class Callgrind {
    private final Path dir;
    private final String h2load;
    private final String token;
    private final Path work;

    Callgrind(Path dir, String h2load, String token, Path work) {
      this.dir = dir;
      this.h2load = h2load;
      this.token = token;
      this.work = work;
    }

    List<Count> measure(Target t, int requests, int round) throws Exception {
      control(t, "-i", "on");
      h2load(t, false, 300);
      h2load(t, true, 300);
      List<Count> counts = new ArrayList<>();
      for (boolean http2 : new boolean[] {false, true}) {
        clearDumps(t);
        control(t, "-z");
        h2load(t, http2, requests);
        control(t, "-d");
        long[] totals = readDumps(t);
        Count c =
            new Count(
                round, t.key(), http2 ? "HTTP/2" : "HTTP/1.1", requests, totals[0], totals[1]);
        say(
            String.format(
                Locale.ROOT,
                "  %-16s %-8s %,9.0f instructions per request (main thread: %,d in all)",
                t.key(),
                c.protocol(),
                c.perRequest(),
                c.mainInstructions()));
        counts.add(c);
      }
      clearDumps(t);
      control(t, "-i", "off");
      return counts;
    }

    private void h2load(Target t, boolean http2, int n) throws Exception {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  h2load,
                  "-t1",
                  "-n",
                  Integer.toString(n),
                  "-H",
                  "authorization: Bearer " + token));
      cmd.addAll(http2 ? List.of("-c2", "-m8") : List.of("-c8", "--h1"));
      cmd.add("http://127.0.0.1:" + t.port() + PATH);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0 || !o.contains("status codes: " + n + " 2xx")) {
        throw new IllegalStateException(
            String.join(" ", cmd) + " did not get " + n + " 2xx:\n" + o);
      }
    }

    private void control(Target t, String... args) throws Exception {
      List<String> cmd = new ArrayList<>(List.of("callgrind_control"));
      cmd.addAll(List.of(args));
      cmd.add(Long.toString(t.proxyPid()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0 || !o.contains("OK")) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + o);
      }
    }

    private List<Path> dumps(Target t) throws IOException {
      try (var files = Files.list(dir)) {
        return files
            .filter(f -> f.getFileName().toString().startsWith(t.proxyPid() + ".out."))
            .toList();
      }
    }

    private void clearDumps(Target t) throws IOException {
      for (Path f : dumps(t)) {
        Files.delete(f);
      }
    }

    /** {threads but the main one, the main thread}: the "totals:" of each thread's dump file. */
    private long[] readDumps(Target t) throws Exception {
      List<Path> files = List.of();
      for (int i = 0; i < 100 && files.isEmpty(); i++) {
        files = dumps(t);
        Thread.sleep(files.isEmpty() ? 100 : 300); // let every thread's file be written
      }
      files = dumps(t);
      if (files.isEmpty()) {
        throw new IllegalStateException("callgrind wrote no dump for " + t.key() + " in " + dir);
      }
      long workers = 0;
      long main = 0;
      for (Path f : files) {
        String text = Files.readString(f);
        String thread = find(text, "(?m)^thread: (\\d+)");
        String totals = find(text, "(?m)^totals: (\\d+)");
        if (totals == null) {
          throw new IllegalStateException("no totals in " + f);
        }
        if ("1".equals(thread)) {
          main += Long.parseLong(totals);
        } else {
          workers += Long.parseLong(totals);
        }
      }
      return new long[] {workers, main};
    }
  }

  private static void writeCounts(Path file, List<Count> counts) throws IOException {
    StringBuilder csv =
        new StringBuilder(
            "round,target,protocol,requests,worker_instructions,main_thread_instructions,instructions_per_request\n");
    for (Count c : counts) {
      csv.append(
          String.format(
              Locale.ROOT,
              "%d,%s,%s,%d,%d,%d,%.0f%n",
              c.round() + 1,
              c.target(),
              c.protocol(),
              c.requests(),
              c.workerInstructions(),
              c.mainInstructions(),
              c.perRequest()));
    }
    Files.writeString(file, csv);
  }

  private static double instructions(List<Count> counts, String target, String protocol) {
    return median(
        counts.stream()
            .filter(c -> c.target().equals(target) && c.protocol().equals(protocol))
            .map(Count::perRequest)
            .toList());
  }

  private static void printInstructions(
      List<Target> targets, List<Count> counts, int requests, int rounds) {
    System.out.printf(
        Locale.ROOT,
        "Instructions per request (callgrind; the proxy's threads but the main one; median of %d count%s of %,d "
            + "requests after 300 of warm-up; HTTP/1.1: h2load --h1 -c8, HTTP/2: h2load -c2 -m8; GET %s with a bearer token). "
            + "A ratio below 1 in a \"vs\" column: the config costs that share fewer instructions than the one it is compared with.%n%n",
        rounds,
        rounds == 1 ? "" : "s",
        requests,
        PATH);
    instructionTable(
        targets.stream().filter(t -> !t.key().startsWith("d")).toList(), counts, "b", "c");
    if (targets.stream().anyMatch(t -> t.key().equals("d"))) {
      System.out.println();
      instructionTable(
          targets.stream().filter(t -> t.key().equals("c") || t.key().startsWith("d")).toList(),
          counts,
          "c",
          "d");
    }
  }

  private static void instructionTable(
      List<Target> rows, List<Count> counts, String first, String second) {
    System.out.printf(
        "| config | HTTP/1.1 | vs (%s) | vs (%s) | HTTP/2 | vs (%s) | vs (%s) |%n",
        first, second, first, second);
    System.out.println("|---|---|---|---|---|---|---|");
    for (Target t : rows) {
      StringBuilder row = new StringBuilder("| " + t.label());
      for (String protocol : List.of("HTTP/1.1", "HTTP/2")) {
        double v = instructions(counts, t.key(), protocol);
        row.append(
            String.format(
                Locale.ROOT,
                " | %,.0f | %.3f | %.3f",
                v,
                v / instructions(counts, first, protocol),
                v / instructions(counts, second, protocol)));
      }
      System.out.println(row.append(" |"));
    }
  }

  static final double TICKS =
      100.0; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

  /** utime + stime of a process (all its threads), from /proc/PID/stat. */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the whole line
  }

  static double wrkLatency(String output, String percent) {
    Matcher m = Pattern.compile("\\n\\s+" + percent + "%\\s+([0-9.]+)(us|ms|s)\\b").matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("no " + percent + "% latency in wrk's output:\n" + output);
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "ms" -> v;
      default -> v * 1000;
    };
  }

  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? m.group(1) : null;
  }

  private static double number(String text, String regex) {
    String s = find(text, regex);
    if (s == null) {
      throw new IllegalStateException("no /" + regex + "/ in:\n" + text);
    }
    return Double.parseDouble(s);
  }

  /**
   * Round r's order: the list rotated by r / 2, reversed on odd rounds (a b c d, d c b a, b c d a,
   * a d c b, …).
   */
  static List<Target> order(List<Target> targets, int round) {
    List<Target> order = new ArrayList<>(targets);
    Collections.rotate(order, -(round / 2) % order.size());
    if (round % 2 == 1) {
      Collections.reverse(order);
    }
    return order;
  }

  // ---------------------------------------------------------------- results

  static double median(List<Double> values) {
    List<Double> v = values.stream().filter(d -> !d.isNaN()).sorted().toList();
    if (v.isEmpty()) {
      return Double.NaN;
    }
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private static List<Run> of(List<Run> runs, String target, String tool) {
    return runs.stream().filter(r -> r.target().equals(target) && r.tool().equals(tool)).toList();
  }

  private static double med(List<Run> runs, String target, String tool, ToDoubleFunction<Run> f) {
    return median(of(runs, target, tool).stream().map(r -> f.applyAsDouble(r)).toList());
  }

  /**
   * "0.97 (0.95–0.99)": the ratio of the medians of a figure, and the range of the per-round
   * ratios.
   */
  private static String ratio(
      List<Run> runs, String top, String bottom, String tool, ToDoubleFunction<Run> f) {
    double m = med(runs, top, tool, f) / med(runs, bottom, tool, f);
    if (Double.isNaN(m)) {
      return "–";
    }
    List<Double> perRound = new ArrayList<>();
    for (Run t : of(runs, top, tool)) {
      for (Run b : of(runs, bottom, tool)) {
        if (b.round() == t.round()) {
          perRound.add(f.applyAsDouble(t) / f.applyAsDouble(b));
        }
      }
    }
    double lo = perRound.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    double hi = perRound.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    return String.format(Locale.ROOT, "**%.3f** (%.2f–%.2f)", m, lo, hi);
  }

  private static String rps(List<Run> runs, String target, String tool) {
    long bad = of(runs, target, tool).stream().mapToLong(r -> r.non2xx() + r.errors()).sum();
    return String.format(Locale.ROOT, "%,.0f", med(runs, target, tool, Run::rps))
        + (bad > 0 ? " (" + bad + " non-2xx/errors)" : "");
  }

  private static String ms(List<Run> runs, String target, String tool) {
    return String.format(Locale.ROOT, "%.2f ms", med(runs, target, tool, Run::p99Ms));
  }

  private static String micros(List<Run> runs, String target, String tool) {
    double v = med(runs, target, tool, Run::proxyMicrosPerRequest);
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f µs", v);
  }

  private static String percents(List<Run> runs, String target, ToDoubleFunction<Run> f) {
    double w = med(runs, target, "wrk", f);
    double h = med(runs, target, "h2load", f);
    return Double.isNaN(w) ? "–" : String.format(Locale.ROOT, "%.0f / %.0f %%", w, h);
  }

  private static void printScenarios(
      List<Target> targets, List<Run> runs, int seconds, int rounds) {
    System.out.printf(
        Locale.ROOT,
        "Medians of %d rounds of %d s per tool and scenario; wrk -t1 -c%d, h2load -t1 -c%d -m%d (h2c); "
            + "GET %s with a bearer token; every Envoy --concurrency %d. Proxy CPU per request: the proxy's CPU time over the requests "
            + "served, its cost per request, which other load on the machine moves much less than req/s.%n%n",
        rounds,
        seconds,
        WRK_CONNECTIONS,
        H2_CONNECTIONS,
        H2_STREAMS,
        PATH,
        CONCURRENCY);
    System.out.println(
        "| scenario | wrk req/s | wrk p99 | h2load req/s | h2load p99 | proxy CPU per request (wrk, h2load) "
            + "| proxy CPU, % of a core (wrk / h2load) | upstream CPU (wrk / h2load) |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (Target t : targets) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s, %s | %s | %s |%n",
          t.label(),
          rps(runs, t.key(), "wrk"),
          ms(runs, t.key(), "wrk"),
          rps(runs, t.key(), "h2load"),
          ms(runs, t.key(), "h2load"),
          micros(runs, t.key(), "wrk"),
          micros(runs, t.key(), "h2load"),
          percents(runs, t.key(), Run::proxyCpu),
          percents(runs, t.key(), Run::upstreamCpu));
    }
    System.out.println();
    System.out.println(
        "| ratio (of the medians; range of the per-round ratios) | wrk req/s | h2load req/s | wrk proxy CPU per request "
            + "| h2load proxy CPU per request | target |");
    System.out.println("|---|---|---|---|---|---|");
    ratioRow(runs, "(c)/(b) Sluice's config vs hand-written", "c", "b", "req/s ≥ 0.98");
    ratioRow(runs, "(d)/(b) with JWT, rate limit, access log", "d", "b", "–");
    ratioRow(runs, "(b)/(a) a proxy hop vs the upstream alone", "b", "a", "–");
  }

  private static void ratioRow(
      List<Run> runs, String label, String top, String bottom, String target) {
    System.out.printf(
        "| %s | %s | %s | %s | %s | %s |%n",
        label,
        ratio(runs, top, bottom, "wrk", Run::rps),
        ratio(runs, top, bottom, "h2load", Run::rps),
        ratio(runs, top, bottom, "wrk", Run::proxyMicrosPerRequest),
        ratio(runs, top, bottom, "h2load", Run::proxyMicrosPerRequest),
        target);
  }

  private static void printSettings(List<Target> targets, List<Run> runs, int seconds, int rounds) {
    System.out.printf(
        Locale.ROOT,
        "Medians of %d rounds of %d s per tool and config; wrk -t1 -c%d, h2load -t1 -c%d -m%d (h2c); "
            + "every Envoy --concurrency %d. \"vs (c)\": this config's figure over (c)'s (range of the per-round ratios); req/s above 1 "
            + "and CPU per request below 1 mean the setting costs that much in (c).%n%n",
        rounds,
        seconds,
        WRK_CONNECTIONS,
        H2_CONNECTIONS,
        H2_STREAMS,
        CONCURRENCY);
    System.out.println(
        "| config | wrk req/s | vs (c) | wrk proxy CPU per request | vs (c) | h2load req/s | vs (c) "
            + "| h2load proxy CPU per request | vs (c) | wrk p99 | h2load p99 |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (Target t : targets) {
      boolean c = t.key().equals("c");
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          t.label(),
          rps(runs, t.key(), "wrk"),
          c ? "1" : ratio(runs, t.key(), "c", "wrk", Run::rps),
          micros(runs, t.key(), "wrk"),
          c ? "1" : ratio(runs, t.key(), "c", "wrk", Run::proxyMicrosPerRequest),
          rps(runs, t.key(), "h2load"),
          c ? "1" : ratio(runs, t.key(), "c", "h2load", Run::rps),
          micros(runs, t.key(), "h2load"),
          c ? "1" : ratio(runs, t.key(), "c", "h2load", Run::proxyMicrosPerRequest),
          ms(runs, t.key(), "wrk"),
          ms(runs, t.key(), "h2load"));
    }
  }

  private static void writeRuns(Path file, List<Run> runs) throws IOException {
    StringBuilder csv =
        new StringBuilder(
            "round,target,tool,rps,p50_ms,p99_ms,requests,non2xx,errors,seconds,proxy_cpu_s,upstream_cpu_s,"
                + "proxy_cpu_us_per_request\n");
    for (Run r : runs) {
      csv.append(
          String.format(
              Locale.ROOT,
              "%d,%s,%s,%.1f,%.3f,%.3f,%d,%d,%d,%.3f,%.2f,%.2f,%.2f%n",
              r.round() + 1,
              r.target(),
              r.tool(),
              r.rps(),
              r.p50Ms(),
              r.p99Ms(),
              r.requests(),
              r.non2xx(),
              r.errors(),
              r.seconds(),
              r.proxyCpuSeconds(),
              r.upstreamCpuSeconds(),
              r.proxyMicrosPerRequest()));
    }
    Files.writeString(file, csv);
  }

  /**
   * Each proxy's config as Envoy has it (admin /config_dump), reduced to what serves the
   * benchmark's requests — bootstrap, the listener, its routes, the backend cluster — in one YAML
   * file per proxy, for {@code diff -u b.yaml c.yaml}.
   */
  private void saveConfigs(Path out, StaticEnvoy handWritten, Map<String, EnvoyProcess> edges)
      throws Exception {
    HttpResponse<String> dump =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(handWritten.adminUrl() + "/config_dump?include_eds"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Files.writeString(out.resolve("config_dump-b.json"), dump.body());
    YAML.writeValue(out.resolve("b.yaml").toFile(), essentials(YAML.readTree(dump.body())));
    for (Map.Entry<String, EnvoyProcess> e : edges.entrySet()) {
      JsonNode d = e.getValue().configDump();
      Files.writeString(out.resolve("config_dump-" + e.getKey() + ".json"), d.toPrettyString());
      YAML.writeValue(out.resolve(e.getKey() + ".yaml").toFile(), essentials(d));
    }
  }

  static ObjectNode essentials(JsonNode dump) {
    ObjectNode out = YAML.createObjectNode();
    for (JsonNode config : dump.path("configs")) {
      String type = config.path("@type").asText();
      if (type.endsWith("BootstrapConfigDump")) {
        ObjectNode bootstrap = config.path("bootstrap").deepCopy();
        bootstrap.remove("node");
        bootstrap.remove("admin");
        ObjectNode statics = (ObjectNode) bootstrap.path("static_resources");
        if (statics.isObject()) {
          statics.remove("listeners");
          statics.remove("clusters");
        }
        out.set("bootstrap (less node, admin and static resources)", bootstrap);
      } else if (type.endsWith("ListenersConfigDump")) {
        for (JsonNode l :
            concat(config.path("static_listeners"), config.path("dynamic_listeners"))) {
          JsonNode listener =
              l.has("listener") ? l.path("listener") : l.path("active_state").path("listener");
          out.set("listener", strip(listener));
        }
      } else if (type.endsWith("RoutesConfigDump")) {
        for (JsonNode r :
            concat(config.path("static_route_configs"), config.path("dynamic_route_configs"))) {
          out.set("route_config", strip(r.path("route_config")));
        }
      } else if (type.endsWith("ClustersConfigDump")) {
        for (JsonNode c :
            concat(config.path("static_clusters"), config.path("dynamic_active_clusters"))) {
          if (c.path("cluster").path("name").asText().equals("backend")) {
            out.set("cluster backend", strip(c.path("cluster")));
          }
        }
      }
    }
    return out;
  }

  private static List<JsonNode> concat(JsonNode... arrays) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode a : arrays) {
      a.forEach(all::add);
    }
    return all;
  }

  /** Without names, addresses and ports, which differ between proxies by construction. */
  private static JsonNode strip(JsonNode node) {
    JsonNode copy = node.deepCopy();
    strip(
        copy,
        Arrays.asList(
            "name",
            "stat_prefix",
            "route_config_name",
            "address",
            "load_assignment",
            "cluster_name"));
    return copy;
  }

  private static void strip(JsonNode node, List<String> keys) {
    if (node instanceof ObjectNode o) {
      o.remove(keys);
      o.forEach(child -> strip(child, keys));
    } else if (node.isArray()) {
      node.forEach(child -> strip(child, keys));
    }
  }

  // ---------------------------------------------------------------- small helpers

  static UnaryOperator<Listener> hcm(Consumer<HttpConnectionManager.Builder> edit) {
    return listener -> {
      Listener.Builder l = listener.toBuilder();
      for (FilterChain.Builder chain : l.getFilterChainsBuilderList()) {
        for (Filter.Builder f : chain.getFiltersBuilderList()) {
          if (f.getTypedConfig().is(HttpConnectionManager.class)) {
            try {
              HttpConnectionManager.Builder h =
                  f.getTypedConfig().unpack(HttpConnectionManager.class).toBuilder();
              edit.accept(h);
              f.setTypedConfig(Any.pack(h.build()));
            } catch (InvalidProtocolBufferException e) {
              throw new IllegalStateException(e);
            }
          }
        }
      }
      return l.build();
    };
  }

  static UnaryOperator<Listener> hcmFilters(Consumer<HttpFilter.Builder> edit) {
    return hcm(h -> h.getHttpFiltersBuilderList().forEach(edit));
  }

  private static UnaryOperator<Listener> chain(List<UnaryOperator<Listener>> edits) {
    return l -> {
      for (UnaryOperator<Listener> e : edits) {
        l = e.apply(l);
      }
      return l;
    };
  }

  private static UnaryOperator<Cluster> chainClusters(List<UnaryOperator<Cluster>> edits) {
    return c -> {
      for (UnaryOperator<Cluster> e : edits) {
        c = e.apply(c);
      }
      return c;
    };
  }

  /** Applies a setting's edits to the gateway's listeners and service clusters. */
  private static UnaryOperator<XdsResources> hook(Setting s) {
    return r ->
        new XdsResources(
            r.listeners().stream().map(s.listener()).toList(),
            r.routes(),
            r.clusters().stream().map(s.cluster()).toList(),
            r.endpoints(),
            r.secrets(),
            r.origins());
  }

  static void listenerPort(ObjectNode config, int port) {
    ((ObjectNode) config.at("/static_resources/listeners/0/address/socket_address"))
        .put("port_value", port);
  }

  static Path bench(String file) {
    return RepoPaths.resolve("xds-server/src/test/resources/bench/" + file);
  }

  private static int status(int port, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH))
            .timeout(Duration.ofSeconds(2));
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static void awaitStatus(int port, String token, int expected, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        int code = status(port, token);
        if (code == expected) {
          return;
        }
        last = Integer.toString(code);
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(
        ":"
            + port
            + PATH
            + " did not answer "
            + expected
            + " within "
            + timeout
            + " (last: "
            + last
            + ")");
  }

  private static long statSum(EnvoyProcess envoy, String suffix) {
    long sum = 0;
    for (JsonNode s :
        envoy
            .json(
                "/stats?format=json&filter="
                    + URLEncoder.encode(suffix.replace(".", "\\.") + "$", StandardCharsets.UTF_8))
            .path("stats")) {
      if (s.path("name").asText().endsWith(suffix) && s.has("value")) {
        sum += s.path("value").asLong();
      }
    }
    return sum;
  }

  private static <T extends AutoCloseable> T push(Deque<AutoCloseable> open, T resource) {
    open.push(resource);
    return resource;
  }

  private static void say(String line) {
    System.err.println("datapath: " + line);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
