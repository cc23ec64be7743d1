package dev.sluice.server;

import dev.sluice.server.auth.SecurityOptions;
import dev.sluice.server.mesh.MeshOptions;
import dev.sluice.server.ratelimit.RateLimitOptions;
import dev.sluice.server.telemetry.Telemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How to run a server. Made with {@link #builder()}; {@link #toBuilder()} changes a copy.
 *
 * @param telemetry makes the server's OpenTelemetry (from the environment in production)
 * @param adminToken when present, the admin API wants it as a bearer token (or basic-auth password)
 * @param rateLimitPort the rate-limit service's gRPC port (on {@code xdsHost}); 0 picks a free one,
 *     -1 runs no service
 * @param rateLimit how the rate-limit service counts (memory or Redis) and fails
 * @param security TLS and proxy credentials of the xDS and rate-limit ports
 */
public record ServerOptions(
    Registry registry,
    Path policies,
    String xdsHost,
    int xdsPort,
    String adminHost,
    int adminPort,
    Duration debounce,
    Supplier<Telemetry> telemetry,
    Optional<String> adminToken,
    int rateLimitPort,
    RateLimitOptions rateLimit,
    MeshOptions mesh,
    SecurityOptions security) {

  /** Loopback ports 18000 (xDS) and 18001 (admin); the registry and policies must be set. */
  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .registry(registry)
        .policies(policies)
        .xdsHost(xdsHost)
        .xdsPort(xdsPort)
        .adminHost(adminHost)
        .adminPort(adminPort)
        .debounce(debounce)
        .telemetry(telemetry)
        .adminToken(adminToken)
        .rateLimit(rateLimitPort, rateLimit)
        .mesh(mesh)
        .security(security);
  }

  /** Never prints the admin token. */
  @Override
  public String toString() {
    return "ServerOptions[registry="
        + registry
        + ", policies="
        + policies
        + ", xds="
        + xdsHost
        + ":"
        + xdsPort
        + ", admin="
        + adminHost
        + ":"
        + adminPort
        + ", adminToken="
        + (adminToken.isPresent() ? "set" : "none")
        + ", rateLimit="
        + rateLimitPort
        + " "
        + rateLimit
        + "]";
  }

  /** Collects options one at a time; each setter replaces what was set before. */
  public static final class Builder {
    private Registry registry;
    private Path policies;
    private String xdsHost = "127.0.0.1";
    private int xdsPort = 18000;
    private String adminHost = "127.0.0.1";
    private int adminPort = 18001;
    private Duration debounce = Duration.ofMillis(10);
    private Supplier<Telemetry> telemetry = Telemetry::fromEnvironment;
    private Optional<String> adminToken = Optional.empty();
    private int rateLimitPort = 0;
    private RateLimitOptions rateLimit = RateLimitOptions.defaults();
    private MeshOptions mesh = MeshOptions.none();
    private SecurityOptions security = SecurityOptions.none();

    private Builder() {}

    public Builder registry(Registry registry) {
      this.registry = registry;
      return this;
    }

    public Builder policies(Path policies) {
      this.policies = policies;
      return this;
    }

    public Builder xdsHost(String host) {
      this.xdsHost = host;
      return this;
    }

    public Builder xdsPort(int port) {
      this.xdsPort = port;
      return this;
    }

    public Builder adminHost(String host) {
      this.adminHost = host;
      return this;
    }

    public Builder adminPort(int port) {
      this.adminPort = port;
      return this;
    }

    /** Both listening ports; 0 picks a free one. */
    public Builder ports(int xds, int admin) {
      return xdsPort(xds).adminPort(admin);
    }

    public Builder debounce(Duration debounce) {
      this.debounce = debounce;
      return this;
    }

    public Builder telemetry(Supplier<Telemetry> telemetry) {
      this.telemetry = telemetry;
      return this;
    }

    public Builder adminToken(Optional<String> token) {
      this.adminToken = token;
      return this;
    }

    public Builder adminToken(String token) {
      return adminToken(Optional.of(token));
    }

    /** The rate-limit service's port (-1 runs none) and how it counts. */
    public Builder rateLimit(int port, RateLimitOptions options) {
      this.rateLimitPort = port;
      this.rateLimit = options;
      return this;
    }

    public Builder mesh(MeshOptions mesh) {
      this.mesh = mesh;
      return this;
    }

    public Builder security(SecurityOptions security) {
      this.security = security;
      return this;
    }

    /**
     * @throws NullPointerException naming the option that is unset
     */
    public ServerOptions build() {
      return new ServerOptions(
          Objects.requireNonNull(registry, "ServerOptions needs a registry"),
          Objects.requireNonNull(policies, "ServerOptions needs a policy folder"),
          Objects.requireNonNull(xdsHost, "xdsHost"),
          xdsPort,
          Objects.requireNonNull(adminHost, "adminHost"),
          adminPort,
          Objects.requireNonNull(debounce, "debounce"),
          Objects.requireNonNull(telemetry, "telemetry"),
          Objects.requireNonNull(adminToken, "adminToken"),
          rateLimitPort,
          Objects.requireNonNull(rateLimit, "rateLimit"),
          Objects.requireNonNull(mesh, "mesh"),
          Objects.requireNonNull(security, "security"));
    }
  }
}
