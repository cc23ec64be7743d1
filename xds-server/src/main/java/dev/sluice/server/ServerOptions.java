package dev.sluice.server;

import dev.sluice.xds.XdsResources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * How to run a server.
 *
 * @param resourceHook applied to every group's resources before publishing; identity in production,
 *     used by tests to inject a resource Envoy must reject
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
    UnaryOperator<XdsResources> resourceHook,
    java.util.function.Supplier<Telemetry> telemetry,
    java.util.Optional<String> adminToken,
    int rateLimitPort,
    dev.sluice.server.ratelimit.RateLimitOptions rateLimit,
    dev.sluice.server.mesh.MeshOptions mesh,
    dev.sluice.server.auth.SecurityOptions security) {

  public static ServerOptions defaults(Path registryFile, Path policies) {
    return defaults(new Registry.File(registryFile), policies);
  }

  public static ServerOptions defaults(Registry registry, Path policies) {
    return new ServerOptions(
        registry,
        policies,
        "127.0.0.1",
        18000,
        "127.0.0.1",
        18001,
        Duration.ofMillis(10),
        UnaryOperator.identity(),
        Telemetry::fromEnvironment,
        java.util.Optional.empty(),
        0,
        dev.sluice.server.ratelimit.RateLimitOptions.defaults(),
        dev.sluice.server.mesh.MeshOptions.none(),
        dev.sluice.server.auth.SecurityOptions.none());
  }

  public ServerOptions withPorts(int xds, int admin) {
    return new ServerOptions(
        registry,
        policies,
        xdsHost,
        xds,
        adminHost,
        admin,
        debounce,
        resourceHook,
        telemetry,
        adminToken,
        rateLimitPort,
        rateLimit,
        mesh,
        security);
  }

  public ServerOptions withResourceHook(UnaryOperator<XdsResources> hook) {
    return new ServerOptions(
        registry,
        policies,
        xdsHost,
        xdsPort,
        adminHost,
        adminPort,
        debounce,
        hook,
        telemetry,
        adminToken,
        rateLimitPort,
        rateLimit,
        mesh,
        security);
  }

  public ServerOptions withTelemetry(java.util.function.Supplier<Telemetry> telemetry) {
    return new ServerOptions(
        registry,
        policies,
        xdsHost,
        xdsPort,
        adminHost,
        adminPort,
        debounce,
        resourceHook,
        telemetry,
        adminToken,
        rateLimitPort,
        rateLimit,
        mesh,
        security);
  }

  public ServerOptions withAdminToken(String token) {
    return new ServerOptions(
        registry,
        policies,
        xdsHost,
        xdsPort,
        adminHost,
        adminPort,
        debounce,
        resourceHook,
        telemetry,
        java.util.Optional.of(token),
        rateLimitPort,
        rateLimit,
        mesh,
        security);
  }

  public ServerOptions withRateLimit(
      int port, dev.sluice.server.ratelimit.RateLimitOptions options) {
    return new ServerOptions(
        registry,
        policies,
        xdsHost,
        xdsPort,
        adminHost,
        adminPort,
        debounce,
        resourceHook,
        telemetry,
        adminToken,
        port,
        options,
        mesh,
        security);
  }

  public ServerOptions withMesh(dev.sluice.server.mesh.MeshOptions mesh) {
    return new ServerOptions(
        registry,
        policies,
        xdsHost,
        xdsPort,
        adminHost,
        adminPort,
        debounce,
        resourceHook,
        telemetry,
        adminToken,
        rateLimitPort,
        rateLimit,
        mesh,
        security);
  }

  public ServerOptions withSecurity(dev.sluice.server.auth.SecurityOptions security) {
    return new ServerOptions(
        registry,
        policies,
        xdsHost,
        xdsPort,
        adminHost,
        adminPort,
        debounce,
        resourceHook,
        telemetry,
        adminToken,
        rateLimitPort,
        rateLimit,
        mesh,
        security);
  }

  public ServerOptions withXdsHost(String host) {
    return new ServerOptions(
        registry,
        policies,
        host,
        xdsPort,
        adminHost,
        adminPort,
        debounce,
        resourceHook,
        telemetry,
        adminToken,
        rateLimitPort,
        rateLimit,
        mesh,
        security);
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
}
