package dev.sluice.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code consul agent -dev} on free loopback ports, for tests. It can be stopped and started
 * again on the same ports (a dev agent keeps nothing, so it comes back empty, with low indexes).
 * Services are registered through the agent's HTTP API with a TTL check each, which tests flip.
 */
public final class ConsulAgent implements AutoCloseable {
  public static final String VERSION = "1.16.1";
  public static final String ENV_VAR = "CONSUL_BIN";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path binary;
  private final Path log;
  private final int httpPort = FreePorts.next();
  private final int serverPort = FreePorts.next();
  private final int serfLanPort = FreePorts.next();
  private final int serfWanPort = FreePorts.next();
  private final List<String> extraArgs;
  private final String token;
  private Process process;

  private ConsulAgent(Path binary, String token, List<String> extraArgs) throws IOException {
    this.binary = binary;
    this.token = token;
    this.extraArgs = extraArgs;
    this.log = Files.createTempFile("consul", ".log");
  }

  /** Starts a dev agent and waits until it has a leader. */
  public static ConsulAgent start() {
    return start(null, List.of());
  }

  /**
   * Starts a dev agent with extra arguments (such as {@code -hcl ...}); {@code token}, when not
   * null, is sent with every request this class makes.
   */
  public static ConsulAgent start(String token, List<String> extraArgs) {
    try {
      ConsulAgent a = new ConsulAgent(binary(), token, extraArgs);
      a.startProcess();
      return a;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A dev agent with ACLs on (default deny) and {@code managementToken} as its management token.
   */
  public static ConsulAgent withAcls(String managementToken) {
    return start(
        managementToken,
        List.of(
            "-hcl",
            "acl { enabled = true\n default_policy = \"deny\"\n tokens { initial_management = \""
                + managementToken
                + "\" } }"));
  }

  /**
   * A dev agent that also serves HTTPS on {@link #httpsPort()} with the given PEM files and
   * requires client certificates there.
   */
  public static ConsulAgent withTls(Path ca, Path cert, Path key) {
    int https = FreePorts.next();
    String hcl =
        "tls { defaults { ca_file = \""
            + ca
            + "\"\n cert_file = \""
            + cert
            + "\"\n key_file = \""
            + key
            + "\"\n verify_incoming = true } }\n ports { https = "
            + https
            + " }";
    ConsulAgent a = start(null, List.of("-hcl", hcl));
    a.tlsPort = https;
    return a;
  }

  private int tlsPort;

  public int httpsPort() {
    return tlsPort;
  }

  /** Runs {@code consul <args>} in {@code dir} (e.g. {@code tls ca create}) and waits for it. */
  public static void run(Path dir, String... args) {
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(binary().toString());
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new AssertionError("consul " + String.join(" ", args) + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The consul binary: {@code CONSUL_BIN}, then {@code consul} on PATH; fails with how to install
   * it.
   */
  public static Path binary() {
    return Executables.find(ENV_VAR, List.of("consul"), installHint());
  }

  public static String installHint() {
    return "The tests need a real Consul "
        + VERSION
        + " binary. Build it (Go toolchain, from the Go module proxy) with\n"
        + "    scripts/install-consul\n"
        + "  (caches it under ${SLUICE_CACHE:-~/.cache/sluice}/consul-"
        + VERSION
        + " and prints its path), then\n"
        + "    export CONSUL_BIN=$(scripts/install-consul)\n"
        + "(scripts/test does both and then runs ./mvnw verify).";
  }

  private void startProcess() throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "agent",
                "-dev",
                "-bind",
                "127.0.0.1",
                "-client",
                "127.0.0.1",
                "-node",
                "sluice-test",
                "-http-port",
                String.valueOf(httpPort),
                "-dns-port",
                "-1",
                "-grpc-port",
                "-1",
                "-grpc-tls-port",
                "-1",
                "-server-port",
                String.valueOf(serverPort),
                "-serf-lan-port",
                String.valueOf(serfLanPort),
                "-serf-wan-port",
                String.valueOf(serfWanPort),
                "-log-level",
                "warn"));
    cmd.addAll(extraArgs);
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("consul agent exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(url() + "/v1/status/leader")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().length() > 2 && aclsReady()) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(100);
    }
    throw new AssertionError("consul agent had no leader within 30s:\n" + log());
  }

  /**
   * With ACLs on, the agent answers 403 for a moment after it has a leader, until ACLs are
   * bootstrapped.
   */
  private boolean aclsReady() throws IOException, InterruptedException {
    if (token == null) {
      return true;
    }
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url() + "/v1/acl/token/self"))
                .header("X-Consul-Token", token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200;
  }

  public String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** The Sluice {@code --registry} value for this agent. */
  public String registry() {
    return "consul://127.0.0.1:" + httpPort;
  }

  /** Registers an instance with a passing TTL check whose id is {@code ttl-<id>}. */
  public void register(String id, String service, int port, List<String> tags) {
    register(id, service, port, tags, Map.of());
  }

  public void register(
      String id, String service, int port, List<String> tags, Map<String, Object> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ID", id);
    body.put("Name", service);
    body.put("Address", "127.0.0.1");
    body.put("Port", port);
    body.put("Tags", tags);
    body.put("Check", Map.of("CheckID", "ttl-" + id, "TTL", "10m", "Status", "passing"));
    body.putAll(extra);
    put("/v1/agent/service/register", body);
  }

  public void deregister(String id) {
    put("/v1/agent/service/deregister/" + id, null);
  }

  public void pass(String id) {
    put("/v1/agent/check/pass/ttl-" + id, null);
  }

  public void warn(String id) {
    put("/v1/agent/check/warn/ttl-" + id, null);
  }

  public void fail(String id) {
    put("/v1/agent/check/fail/ttl-" + id, null);
  }

  /** Creates an ACL token that may read every service and node, and returns its secret. */
  public String createReadToken() {
    put(
        "/v1/acl/policy",
        Map.of(
            "Name",
            "sluice-read",
            "Rules",
            "service_prefix \"\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }"));
    return createToken(
            Map.of("Description", "sluice", "Policies", List.of(Map.of("Name", "sluice-read"))))
        .secretId();
  }

  /** An ACL token: its public id (for deleting it) and its secret (what a client presents). */
  public record AclToken(String accessorId, String secretId) {}

  /**
   * Creates a token with the service identity of {@code service}, as {@code consul acl token create
   * -service-identity=<service>} does: it grants service:write on that service.
   */
  public AclToken createServiceToken(String service) {
    return createToken(
        Map.of(
            "Description",
            "sidecar of " + service,
            "ServiceIdentities",
            List.of(Map.of("ServiceName", service))));
  }

  /** Deletes (revokes) a token; Consul then answers "ACL not found" for its secret. */
  public void deleteToken(AclToken t) {
    try {
      send(HttpRequest.newBuilder(URI.create(url() + "/v1/acl/token/" + t.accessorId())).DELETE());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private AclToken createToken(Map<String, Object> body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url() + "/v1/acl/token"))
              .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
              .header("X-Consul-Token", token);
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new AssertionError("token creation: " + r.statusCode() + " " + r.body());
      }
      var created = JSON.readTree(r.body());
      return new AclToken(created.get("AccessorID").asText(), created.get("SecretID").asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Writes a KV pair; each write raises the index. */
  public void kv(String key, String value) {
    try {
      send(
          HttpRequest.newBuilder(URI.create(url() + "/v1/kv/" + key))
              .PUT(HttpRequest.BodyPublishers.ofString(value)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The index Consul reports for the service list. */
  public long catalogIndex() {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + "/v1/catalog/services"));
      if (token != null) {
        b.header("X-Consul-Token", token);
      }
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElse("0"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void put(String path, Object body) {
    try {
      HttpRequest.BodyPublisher p =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
      send(HttpRequest.newBuilder(URI.create(url() + path)).PUT(p));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void send(HttpRequest.Builder b) throws IOException {
    if (token != null) {
      b.header("X-Consul-Token", token);
    }
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("consul answered " + r.statusCode() + ": " + r.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Kills the agent (as a crash would) and leaves the ports free. */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts the agent again on the same ports; a dev agent comes back empty. */
  public void startAgain() {
    try {
      startProcess();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
