package dev.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Envoy process started from a bootstrap file.
 *
 * <p>{@link #start} copies the bootstrap into a temp dir, pointing the {@code sluice_xds} cluster
 * at the given ADS port, the admin listener at an ephemeral port (read back through {@code
 * --admin-address-path}) and, if given, setting the node id and cluster; then runs {@code envoy -c
 * <copy> --disable-hot-restart ...} and returns once the admin listener is up. Several Envoys can
 * run side by side (hot restart is off, so no shared memory or base id is involved). With {@link
 * Options#enableHotRestart()} Envoy picks a base id of its own instead, and {@link #hotRestart}
 * starts the next restart epoch, which takes over the listening sockets while this one drains and
 * exits. {@link #close()} sends SIGTERM, then SIGKILL after 5 s, and always reaps the process.
 *
 * <p>The work dir (rewritten bootstrap, {@code envoy.log}) is a temp dir deleted on close; run with
 * {@code -Dsluice.envoy.keep=true} to keep it.
 */
public final class EnvoyProcess implements AutoCloseable {
  /** The name of the static cluster through which Envoy reaches the control plane. */
  public static final String XDS_CLUSTER = "sluice_xds";

  /**
   * The static cluster that points at Envoy's own admin listener (for a Gateway's Prometheus
   * statistics listener). When the bootstrap has it, the admin listener gets a fixed free port
   * instead of an ephemeral one, and the cluster is pointed at that port.
   */
  public static final String ADMIN_CLUSTER = "sluice_envoy_admin";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final HttpClient HTTP = newHttpClient();
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    // Last line of defence: a test JVM that dies (or forgets close()) leaves no Envoy behind.
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "envoy-reaper"));
  }

  /**
   * How to start Envoy.
   *
   * @param adsPort the port of the ADS server on 127.0.0.1 ({@code sluice_xds} cluster)
   * @param nodeId node.id, or null to keep the bootstrap's
   * @param nodeCluster node.cluster (= the proxy group, e.g. the Gateway name), or null to keep
   * @param extraArgs more command-line arguments for envoy
   * @param logLevel envoy's {@code --log-level}
   * @param concurrency worker threads ({@code --concurrency})
   * @param adminPort the admin listener's port; 0 for an ephemeral one (see {@link #ADMIN_CLUSTER})
   * @param xdsCa the CA bundle Sluice's TLS certificate is verified against; null: the bootstrap's
   *     TLS to Sluice is removed (the fixture serves plaintext on loopback)
   * @param proxyToken the token sent to Sluice; null: the bootstrap's {@code initial_metadata} is
   *     removed
   * @param hotRestart run with hot restart on (a base id Envoy picks, epoch 0), so that {@link
   *     EnvoyProcess#hotRestart} can start the next epoch; false: {@code --disable-hot-restart}
   */
  public record Options(
      int adsPort,
      String nodeId,
      String nodeCluster,
      List<String> extraArgs,
      String logLevel,
      int concurrency,
      int adminPort,
      int rateLimitPort,
      Path xdsCa,
      String proxyToken,
      boolean hotRestart) {
    public Options(
        int adsPort,
        String nodeId,
        String nodeCluster,
        List<String> extraArgs,
        String logLevel,
        int concurrency) {
      this(adsPort, nodeId, nodeCluster, extraArgs, logLevel, concurrency, 0, 0, null, null, false);
    }

    public Options {
      extraArgs = List.copyOf(extraArgs);
      Objects.requireNonNull(logLevel, "logLevel");
      if (adsPort < 1 || adsPort > 65535) {
        throw new IllegalArgumentException("adsPort out of range: " + adsPort);
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be >= 1: " + concurrency);
      }
      if (adminPort < 0 || adminPort > 65535) {
        throw new IllegalArgumentException("adminPort out of range: " + adminPort);
      }
    }

    /** Defaults: the bootstrap's node, log level info, one worker thread, no extra args. */
    public static Options ads(int adsPort) {
      return new Options(adsPort, null, null, List.of(), "info", 1);
    }

    public Options nodeId(String id) {
      return new Options(
          adsPort,
          id,
          nodeCluster,
          extraArgs,
          logLevel,
          concurrency,
          adminPort,
          rateLimitPort,
          xdsCa,
          proxyToken,
          hotRestart);
    }

    public Options nodeCluster(String cluster) {
      return new Options(
          adsPort,
          nodeId,
          cluster,
          extraArgs,
          logLevel,
          concurrency,
          adminPort,
          rateLimitPort,
          xdsCa,
          proxyToken,
          hotRestart);
    }

    /** Node id and cluster at once. */
    public Options node(String id, String cluster) {
      return new Options(
          adsPort,
          id,
          cluster,
          extraArgs,
          logLevel,
          concurrency,
          adminPort,
          rateLimitPort,
          xdsCa,
          proxyToken,
          hotRestart);
    }

    public Options extraArgs(String... args) {
      List<String> all = new ArrayList<>(extraArgs);
      all.addAll(Arrays.asList(args));
      return new Options(
          adsPort,
          nodeId,
          nodeCluster,
          all,
          logLevel,
          concurrency,
          adminPort,
          rateLimitPort,
          xdsCa,
          proxyToken,
          hotRestart);
    }

    public Options logLevel(String level) {
      return new Options(
          adsPort,
          nodeId,
          nodeCluster,
          extraArgs,
          level,
          concurrency,
          adminPort,
          rateLimitPort,
          xdsCa,
          proxyToken,
          hotRestart);
    }

    public Options concurrency(int workers) {
      return new Options(
          adsPort,
          nodeId,
          nodeCluster,
          extraArgs,
          logLevel,
          workers,
          adminPort,
          rateLimitPort,
          xdsCa,
          proxyToken,
          hotRestart);
    }

    /**
     * Points the bootstrap's {@code sluice_ratelimit} cluster at this port of 127.0.0.1 (0: as
     * written).
     */
    public Options rateLimitPort(int port) {
      return new Options(
          adsPort,
          nodeId,
          nodeCluster,
          extraArgs,
          logLevel,
          concurrency,
          adminPort,
          port,
          xdsCa,
          proxyToken,
          hotRestart);
    }

    /** TLS to Sluice verified against this CA bundle, and this proxy token (either may be null). */
    public Options secure(Path ca, String token) {
      return new Options(
          adsPort,
          nodeId,
          nodeCluster,
          extraArgs,
          logLevel,
          concurrency,
          adminPort,
          rateLimitPort,
          ca,
          token,
          hotRestart);
    }

    /** The admin listener on this port of 127.0.0.1 (0: ephemeral). */
    public Options adminPort(int port) {
      return new Options(
          adsPort,
          nodeId,
          nodeCluster,
          extraArgs,
          logLevel,
          concurrency,
          port,
          rateLimitPort,
          xdsCa,
          proxyToken,
          hotRestart);
    }

    /**
     * Hot restart on ({@link EnvoyProcess#hotRestart}). Give {@code --drain-time-s} and {@code
     * --parent-shutdown-time-s} in {@link #extraArgs} too: Envoy's defaults keep the old process
     * for 15 minutes.
     */
    public Options enableHotRestart() {
      return new Options(
          adsPort,
          nodeId,
          nodeCluster,
          extraArgs,
          logLevel,
          concurrency,
          adminPort,
          rateLimitPort,
          xdsCa,
          proxyToken,
          true);
    }
  }

  private final Process process;
  private final Path workDir;
  private final Path bootstrap;
  private final Path logFile;
  private final Path outFile;
  private final String nodeId;
  private final String nodeCluster;
  private final int adminPort;

  /** The bootstrap file as given, and the options as applied: the next epoch starts from them. */
  private final Path source;

  private final Options options;

  /** The hot-restart family this process belongs to; null with hot restart off. */
  private final HotRestart hot;

  private final int epoch;

  /**
   * The admin API's client. The epochs of a hot restart have one each: they share the admin port,
   * and a kept-alive connection to it would still reach the old process after the new one took the
   * port over.
   */
  private final HttpClient http;

  private volatile String finalLog;

  private EnvoyProcess(
      Process process,
      Path workDir,
      Path bootstrap,
      Path logFile,
      Path outFile,
      String nodeId,
      String nodeCluster,
      int adminPort,
      Path source,
      Options options,
      HotRestart hot,
      int epoch) {
    this.process = process;
    this.workDir = workDir;
    this.bootstrap = bootstrap;
    this.logFile = logFile;
    this.outFile = outFile;
    this.nodeId = nodeId;
    this.nodeCluster = nodeCluster;
    this.adminPort = adminPort;
    this.source = source;
    this.options = options;
    this.hot = hot;
    this.epoch = epoch;
    this.http = hot == null ? HTTP : newHttpClient();
  }

  private static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  /**
   * The processes of one Envoy across hot restarts: they share Envoy's base id (its shared memory
   * and domain sockets), one restart epoch each.
   */
  private static final class HotRestart {
    final long baseId;
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();

    HotRestart(long baseId) {
      this.baseId = baseId;
    }

    /**
     * Forgets a stopped process; once none of the family runs, removes the shared memory, which
     * Envoy leaves behind when it exits (POSIX shared memory {@code /envoy_shared_memory_<10 × base
     * id>}, a file in /dev/shm on Linux).
     */
    synchronized void stopped(Process p) {
      processes.remove(p);
      if (processes.stream().noneMatch(Process::isAlive)) {
        removeSharedMemory(baseId);
      }
    }

    static void removeSharedMemory(long baseId) {
      try {
        Files.deleteIfExists(Path.of("/dev/shm", "envoy_shared_memory_" + baseId * 10));
      } catch (IOException e) {
        // best effort: an epoch 0 replaces a leftover region
      }
    }
  }

  /**
   * Starts Envoy from a copy of {@code bootstrapFile} rewritten by {@code options}; returns when
   * its admin listener is bound. Fails (with Envoy's log) if Envoy exits or the admin listener is
   * not up within 30 s.
   */
  public static EnvoyProcess start(Path bootstrapFile, Options options) {
    return launch(bootstrapFile, options, null, 0);
  }

  /**
   * Envoy's hot restart: starts the next restart epoch of this Envoy, a new process from the same
   * bootstrap file rewritten by {@code next} (another proxy token, say) with this one's base id.
   * The new process takes over this one's listening sockets, and its admin port: this one closes
   * its admin listener as soon as the new one starts, so ask the new one from then on. Once the new
   * process is initialised, this one stops accepting, drains its connections for its {@code
   * --drain-time-s} and exits when the new one's {@code --parent-shutdown-time-s} is up ({@link
   * #awaitExit}). Returns when the new process's admin listener is bound.
   *
   * <p>{@code next} is used with hot restart on and, when it leaves the admin port to be chosen,
   * with this process's admin port, as an operator's new bootstrap would have it.
   */
  public EnvoyProcess hotRestart(Options next) {
    if (hot == null) {
      throw new IllegalStateException(this + " was started without Options.enableHotRestart()");
    }
    if (!process.isAlive()) {
      // the new epoch would wait for its parent's domain socket, then abort
      throw new IllegalStateException(
          this + " is not running; a hot restart needs the running process");
    }
    Options o = next.enableHotRestart();
    if (o.adminPort() == 0) {
      o = o.adminPort(options.adminPort());
    }
    return launch(source, o, hot, epoch + 1);
  }

  private static EnvoyProcess launch(
      Path bootstrapFile, Options options, HotRestart family, int epoch) {
    Path binary = EnvoyBinary.find();
    JsonNode original = readYaml(bootstrapFile);
    if (options.adminPort() == 0 && staticCluster(original, ADMIN_CLUSTER) != null) {
      options = options.adminPort(FreePorts.next()); // the cluster must know the admin port
    }
    ObjectNode config = rewrite(original, options, bootstrapFile);
    Path workDir;
    try {
      workDir = Files.createTempDirectory("sluice-envoy-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String nodeId = config.path("node").path("id").asText();
    String nodeCluster = config.path("node").path("cluster").asText();
    Path bootstrap = workDir.resolve("bootstrap.yaml");
    Path logFile = workDir.resolve("envoy.log");
    Path outFile = workDir.resolve("envoy.out");
    Path adminAddress = workDir.resolve("admin-address");
    Path baseIdFile = workDir.resolve("base-id");
    try {
      YAML.writeValue(bootstrap.toFile(), config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of("-c", bootstrap.toString()));
    if (!options.hotRestart()) {
      command.add("--disable-hot-restart");
    } else if (family == null) {
      // a base id of Envoy's choosing is one no other Envoy on the machine uses (other tests,
      // other runs); the next epoch is given it explicitly, as Envoy requires
      command.addAll(
          List.of(
              "--use-dynamic-base-id",
              "--base-id-path",
              baseIdFile.toString(),
              "--restart-epoch",
              "0"));
    } else {
      command.addAll(
          List.of(
              "--base-id",
              Long.toString(family.baseId),
              "--restart-epoch",
              Integer.toString(epoch)));
    }
    command.addAll(
        List.of(
            "--log-level", options.logLevel(),
            "--log-path", logFile.toString(),
            "--admin-address-path", adminAddress.toString(),
            // flush the log file often, so log() and failure reports are current
            "--file-flush-interval-msec", "100",
            "--concurrency", Integer.toString(options.concurrency())));
    command.addAll(options.extraArgs());
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(outFile.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
    } catch (IOException e) {
      deleteTree(workDir);
      throw new UncheckedIOException("cannot start " + command, e);
    }
    LIVE.add(process);
    int adminPort;
    try {
      adminPort = awaitAdminAddress(process, adminAddress, logFile, outFile);
      if (options.hotRestart() && family == null) {
        // Envoy writes the base id it picked before it starts its admin listener
        family =
            new HotRestart(
                baseIdIn(baseIdFile)
                    .orElseThrow(
                        () ->
                            new AssertionError(
                                "Envoy's admin listener is up but its --base-id-path "
                                    + baseIdFile
                                    + " holds no base id")));
      }
    } catch (RuntimeException | Error e) {
      stop(process);
      if (options.hotRestart() && family == null) {
        baseIdIn(baseIdFile).ifPresent(HotRestart::removeSharedMemory);
      }
      if (!Boolean.getBoolean("sluice.envoy.keep")) {
        deleteTree(workDir); // the exception carries the log
      }
      throw e;
    }
    if (family != null) {
      family.processes.add(process);
    }
    return new EnvoyProcess(
        process,
        workDir,
        bootstrap,
        logFile,
        outFile,
        nodeId,
        nodeCluster,
        adminPort,
        bootstrapFile,
        options,
        family,
        epoch);
  }

  private static OptionalLong baseIdIn(Path file) {
    try {
      return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Envoy bootstrap " + file, e);
    }
  }

  static ObjectNode rewrite(JsonNode original, Options options, Path source) {
    if (!(original instanceof ObjectNode map)) {
      throw new IllegalArgumentException(source + " is not a YAML map");
    }
    ObjectNode config = map.deepCopy();
    ObjectNode node = config.withObjectProperty("node");
    if (options.nodeId() != null) {
      node.put("id", options.nodeId());
    }
    if (options.nodeCluster() != null) {
      node.put("cluster", options.nodeCluster());
    }
    ObjectNode socket =
        config
            .withObjectProperty("admin")
            .withObjectProperty("address")
            .withObjectProperty("socket_address");
    socket.put("address", "127.0.0.1");
    socket.put("port_value", options.adminPort());
    ObjectNode admin = staticCluster(config, ADMIN_CLUSTER);
    if (admin != null) {
      for (JsonNode endpoints : admin.path("load_assignment").path("endpoints")) {
        for (JsonNode lb : endpoints.path("lb_endpoints")) {
          if (lb.path("endpoint").path("address").path("socket_address") instanceof ObjectNode s) {
            s.put("address", "127.0.0.1");
            s.put("port_value", options.adminPort());
          }
        }
      }
    }

    ObjectNode rls = staticCluster(config, "sluice_ratelimit");
    if (rls != null && options.rateLimitPort() > 0) {
      for (JsonNode endpoints : rls.path("load_assignment").path("endpoints")) {
        for (JsonNode lb : endpoints.path("lb_endpoints")) {
          if (lb.path("endpoint").path("address").path("socket_address") instanceof ObjectNode sa) {
            sa.put("address", "127.0.0.1");
            sa.put("port_value", options.rateLimitPort());
          }
        }
      }
    }

    ObjectNode xds = staticCluster(config, XDS_CLUSTER);
    if (xds == null) {
      throw new IllegalArgumentException(
          source + " has no static cluster named " + XDS_CLUSTER + " to point at the ADS server");
    }
    secureControlPlane(config, options);
    int rewritten = 0;
    for (JsonNode endpoints : xds.path("load_assignment").path("endpoints")) {
      for (JsonNode lb : endpoints.path("lb_endpoints")) {
        JsonNode sa = lb.path("endpoint").path("address").path("socket_address");
        if (sa instanceof ObjectNode s) {
          s.put("port_value", options.adsPort());
          rewritten++;
        }
      }
    }
    if (rewritten == 0) {
      throw new IllegalArgumentException(
          source
              + ": cluster "
              + XDS_CLUSTER
              + " has no load_assignment socket_address to rewrite");
    }
    return config;
  }

  /**
   * The bootstraps talk to Sluice over TLS with a proxy token: with the options' CA bundle and
   * token they keep doing so, without them the TLS and the token are removed (a plaintext, open
   * fixture on loopback).
   */
  private static void secureControlPlane(ObjectNode config, Options options) {
    for (String name : List.of(XDS_CLUSTER, "sluice_ratelimit")) {
      ObjectNode cluster = staticCluster(config, name);
      if (cluster == null || !cluster.has("transport_socket")) {
        continue;
      }
      if (options.xdsCa() == null) {
        cluster.remove("transport_socket");
      } else {
        ((ObjectNode)
                cluster.at(
                    "/transport_socket/typed_config/common_tls_context/validation_context/trusted_ca"))
            .put("filename", options.xdsCa().toString());
      }
    }
    for (JsonNode service : config.at("/dynamic_resources/ads_config/grpc_services")) {
      if (!(service instanceof ObjectNode s) || !s.has("initial_metadata")) {
        continue;
      }
      if (options.proxyToken() == null) {
        s.remove("initial_metadata");
      } else {
        for (JsonNode m : s.get("initial_metadata")) {
          if ("authorization".equals(m.path("key").asText())) {
            ((ObjectNode) m).put("value", "Bearer " + options.proxyToken());
          }
        }
      }
    }
  }

  private static ObjectNode staticCluster(JsonNode config, String name) {
    for (JsonNode c : config.path("static_resources").path("clusters")) {
      if (name.equals(c.path("name").asText()) && c instanceof ObjectNode o) {
        return o;
      }
    }
    return null;
  }

  private static int awaitAdminAddress(
      Process process, Path adminAddress, Path logFile, Path outFile) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(adminAddress)) {
        try {
          String text = Files.readString(adminAddress).trim();
          int colon = text.lastIndexOf(':');
          if (colon > 0 && colon < text.length() - 1) {
            return Integer.parseInt(text.substring(colon + 1));
          }
        } catch (IOException | NumberFormatException e) {
          // being written; try again
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError(
            "Envoy exited with code "
                + process.exitValue()
                + " before its admin listener came up.\n"
                + readLog(logFile, outFile));
      }
      sleep(20);
    }
    throw new AssertionError(
        "Envoy's admin listener did not come up within "
            + START_TIMEOUT
            + ".\n"
            + readLog(logFile, outFile));
  }

  /** The admin listener's port on 127.0.0.1. */
  public int adminPort() {
    return adminPort;
  }

  /** {@code http://127.0.0.1:<adminPort>}. */
  public String adminUrl() {
    return "http://127.0.0.1:" + adminPort;
  }

  public String nodeId() {
    return nodeId;
  }

  public String nodeCluster() {
    return nodeCluster;
  }

  /** The rewritten bootstrap file Envoy runs with. */
  public Path bootstrap() {
    return bootstrap;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until the admin {@code /ready} endpoint answers at all (any status). */
  public EnvoyProcess awaitLive(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      checkAlive();
      try {
        send(HttpRequest.newBuilder(URI.create(adminUrl() + "/ready")).GET());
        return this;
      } catch (IOException e) {
        last = e;
      }
      sleep(50);
    }
    throw new AssertionError(
        "Envoy admin "
            + adminUrl()
            + "/ready did not answer within "
            + timeout
            + " (last error: "
            + last
            + ")\n"
            + tail(200));
  }

  /**
   * Waits until {@code /ready} returns 200, i.e. Envoy's initial LDS/CDS (and what they wait for)
   * is done.
   */
  public EnvoyProcess awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      checkAlive();
      try {
        HttpResponse<String> r =
            send(HttpRequest.newBuilder(URI.create(adminUrl() + "/ready")).GET());
        // /ready answers 200 once Envoy is initialised; its workers may still be binding the
        // listeners it has (a request at that moment is refused), so wait until none is warming
        // and the workers run
        if (r.statusCode() == 200
            && stat("listener_manager.total_listeners_warming").orElse(0) == 0
            && stat("listener_manager.workers_started").orElse(1) == 1) {
          return this;
        }
        last = r.statusCode() + " " + r.body().trim();
      } catch (IOException e) {
        last = e.toString();
      }
      sleep(50);
    }
    throw new AssertionError(
        "Envoy "
            + nodeId
            + " was not ready (/ready = 200) within "
            + timeout
            + "; last /ready: "
            + last
            + "\n"
            + tail(200));
  }

  /** GET an admin path such as {@code /clusters?format=json}; the response as text. */
  public HttpResponse<String> admin(String pathAndQuery) {
    return adminCall(HttpRequest.newBuilder(adminUri(pathAndQuery)).GET());
  }

  /** POST to an admin path such as {@code /healthcheck/fail} or {@code /runtime_modify?k=v}. */
  public HttpResponse<String> adminPost(String pathAndQuery) {
    return adminCall(
        HttpRequest.newBuilder(adminUri(pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** GET {@code /config_dump} (with {@code include_eds}). */
  public JsonNode configDump() {
    return json("/config_dump?include_eds");
  }

  /** GET an admin path and parse its JSON body. */
  public JsonNode json(String pathAndQuery) {
    HttpResponse<String> r = admin(pathAndQuery);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + pathAndQuery + " -> " + r.statusCode() + ": " + r.body());
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + pathAndQuery + " did not return JSON", e);
    }
  }

  /**
   * The value of one counter or gauge, by its exact name (e.g. {@code
   * cluster.sluice_xds.upstream_cx_total}); empty if Envoy has no such stat (yet).
   */
  public OptionalLong stat(String name) {
    String filter = "^" + regexQuote(name) + "$";
    JsonNode stats =
        json("/stats?format=json&filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8))
            .path("stats");
    for (JsonNode s : stats) {
      if (name.equals(s.path("name").asText()) && s.has("value")) {
        return OptionalLong.of(s.path("value").asLong());
      }
    }
    return OptionalLong.empty();
  }

  /** Envoy's log so far ({@code --log-path}), plus anything it wrote to stdout/stderr. */
  public String log() {
    String done = finalLog;
    return done != null ? done : readLog(logFile, outFile);
  }

  /** The last {@code lines} lines of {@link #log()}. */
  public String tail(int lines) {
    List<String> all = log().lines().toList();
    int from = Math.max(0, all.size() - lines);
    return String.join("\n", all.subList(from, all.size()));
  }

  /**
   * Waits until the process exits by itself (after a {@link #hotRestart}: once the new epoch's
   * {@code --parent-shutdown-time-s} is up); returns its exit code.
   */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "Envoy " + this + " did not exit within " + timeout + "\n" + tail(200));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return process.exitValue();
  }

  /** Envoy's restart epoch: 0, or one more than the process it hot-restarted. */
  public int restartEpoch() {
    return epoch;
  }

  /** SIGTERM, then SIGKILL after 5 s; waits for the process to be gone. Idempotent. */
  @Override
  public void close() {
    stop(process);
    if (hot != null) {
      hot.stopped(process);
    }
    if (finalLog == null) {
      finalLog = readLog(logFile, outFile);
    }
    if (!Boolean.getBoolean("sluice.envoy.keep")) {
      deleteTree(workDir);
    }
  }

  @Override
  public String toString() {
    return "Envoy["
        + nodeId
        + "/"
        + nodeCluster
        + " pid "
        + process.pid()
        + " admin "
        + adminPort
        + (hot == null ? "" : " epoch " + epoch)
        + "]";
  }

  private static void stop(Process process) {
    try {
      if (process.isAlive()) {
        process.destroy(); // SIGTERM
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly(); // SIGKILL
          process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      if (!process.isAlive()) {
        LIVE.remove(process);
      }
    }
  }

  private void checkAlive() {
    if (!process.isAlive()) {
      throw new AssertionError(
          "Envoy "
              + nodeId
              + " (pid "
              + process.pid()
              + ") exited with code "
              + process.exitValue()
              + "\n"
              + tail(200));
    }
  }

  private URI adminUri(String pathAndQuery) {
    return URI.create(adminUrl() + (pathAndQuery.startsWith("/") ? "" : "/") + pathAndQuery);
  }

  private HttpResponse<String> adminCall(HttpRequest.Builder request) {
    try {
      return send(request);
    } catch (IOException e) {
      throw new UncheckedIOException("Envoy admin call failed: " + request.build().uri(), e);
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(
          request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static String regexQuote(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!Character.isLetterOrDigit(c) && c != '_') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  private static String readLog(Path logFile, Path outFile) {
    StringBuilder b = new StringBuilder();
    try {
      if (Files.exists(logFile)) {
        b.append(new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8));
      }
      if (Files.exists(outFile) && Files.size(outFile) > 0) {
        b.append("\n--- envoy stdout/stderr ---\n")
            .append(new String(Files.readAllBytes(outFile), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      b.append("\n(cannot read Envoy log: ").append(e).append(")");
    }
    return b.toString();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
