package dev.sluice.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.server.Registry;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.TestServers;
import dev.sluice.server.auth.SecurityOptions;
import dev.sluice.server.mesh.MeshOptions;
import dev.sluice.server.ratelimit.RateLimitOptions;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.testing.FreePorts;
import dev.sluice.xds.XdsResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A control plane under test: a temporary registry file and policy folder, and an in-process {@link
 * SluiceServer} on free ports that can be stopped and started again on the same ports.
 */
final class SluiceFixture implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static final ObjectMapper JSON = new ObjectMapper();
  final Path dir;
  final Path registry;
  final Path policies;
  final int gatewayPort = FreePorts.next();
  final int xdsPort = FreePorts.next();
  final int adminPort = FreePorts.next();
  final int rateLimitPort = FreePorts.next();
  private RateLimitOptions rateLimit = RateLimitOptions.defaults();

  /** A step after the server's own on each group's resources; none unless a test sets one. */
  private UnaryOperator<XdsResources> hook;

  private Supplier<Telemetry> telemetry = Telemetry::fromEnvironment;
  private String adminToken;
  private MeshOptions mesh = MeshOptions.none();
  private Registry registrySource;
  private SecurityOptions security = SecurityOptions.none();
  private SluiceServer server;

  SluiceFixture() {
    try {
      dir = Files.createTempDirectory("sluice-e2e");
      registry = dir.resolve("services.yaml");
      policies = Files.createDirectory(dir.resolve("policies"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writePolicy("gateway.yaml", "kind: Gateway\nname: edge\nport: " + gatewayPort + "\n");
  }

  /** Reads services from Consul instead of the registry file. */
  SluiceFixture consul(ConsulConfig config) {
    this.registrySource = new Registry.Consul(config);
    return this;
  }

  SluiceFixture hook(UnaryOperator<XdsResources> hook) {
    this.hook = hook;
    return this;
  }

  SluiceFixture telemetry(Supplier<Telemetry> telemetry) {
    this.telemetry = telemetry;
    return this;
  }

  /** Counts global limits in this Redis (shared with other fixtures pointing at it). */
  SluiceFixture redis(String uri) {
    this.rateLimit = rateLimit.withRedis(uri);
    return this;
  }

  /** Changes the rate-limit service's options (the in-memory store's bounds, say). */
  SluiceFixture rateLimit(UnaryOperator<RateLimitOptions> change) {
    this.rateLimit = change.apply(rateLimit);
    return this;
  }

  /** Runs the mesh CA in {@code dir/ca} with this certificate lifetime. */
  SluiceFixture meshCa(Duration certificateTtl) {
    this.mesh = mesh.withCa(dir.resolve("ca"), certificateTtl);
    return this;
  }

  private String xdsHost = "127.0.0.1";

  /** The address xDS and rate limits listen on (loopback unless a test needs another). */
  SluiceFixture xdsHost(String host) {
    this.xdsHost = host;
    return this;
  }

  /** TLS and proxy credentials for the xDS and rate-limit ports. */
  SluiceFixture security(SecurityOptions security) {
    this.security = security;
    return this;
  }

  SluiceFixture adminToken(String token) {
    this.adminToken = token;
    return this;
  }

  /** GET on the admin port, with the admin token if one is set; the body as text. */
  HttpResponse<String> admin(String path) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
              .timeout(Duration.ofSeconds(5));
      if (adminToken != null) {
        b.header("Authorization", "Bearer " + adminToken);
      }
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The first sample of a metric on /metrics, as users scrape it; fails when there is none. */
  double metric(String name) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$")
            .matcher(admin("/metrics").body());
    if (!m.find()) {
      throw new AssertionError("no metric " + name + " on /metrics");
    }
    return Double.parseDouble(m.group(1));
  }

  JsonNode adminJson(String path) {
    try {
      return JSON.readTree(admin(path).body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a file the way editors that save atomically do: write beside it, then rename. */
  void write(Path file, String content) {
    try {
      Path tmp = Files.createTempFile(dir, ".tmp", ".part");
      Files.writeString(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void writeRegistry(String yaml) {
    write(registry, yaml);
  }

  void writePolicy(String name, String yaml) {
    write(policies.resolve(name), yaml);
  }

  SluiceServer start() {
    ServerOptions.Builder options =
        ServerOptions.builder()
            .registry(registrySource == null ? new Registry.File(registry) : registrySource)
            .policies(policies)
            .ports(xdsPort, adminPort)
            .telemetry(telemetry)
            .rateLimit(rateLimitPort, rateLimit)
            .mesh(mesh)
            .security(security)
            .xdsHost(xdsHost);
    if (adminToken != null) {
      options.adminToken(adminToken);
    }
    server =
        hook == null
            ? SluiceServer.start(options.build())
            : TestServers.start(options.build(), hook);
    return server;
  }

  void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  SluiceServer server() {
    return server;
  }

  /** GET through the gateway. */
  HttpResponse<String> get(String path) {
    return get(path, new String[0]);
  }

  HttpResponse<String> get(String path, String... headers) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
              .timeout(Duration.ofSeconds(5));
      if (headers.length > 0) {
        b.headers(headers);
      }
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The body of a 200 through the gateway, or "HTTP <status>" otherwise. */
  String answer(String path) {
    try {
      HttpResponse<String> r = get(path);
      return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode();
    } catch (UncheckedIOException e) {
      return "connection failed: " + e.getCause();
    }
  }

  JsonNode status() {
    return adminJson("/status");
  }

  @Override
  public void close() {
    stop();
  }
}
