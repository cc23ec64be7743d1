package dev.sluice.discovery.consul;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where Consul is and how to read it.
 *
 * @param address {@code http://host:port} or {@code https://host:port}
 * @param token the ACL token, sent as {@code X-Consul-Token}; never printed
 * @param datacenter empty for the agent's own
 * @param blockingWait how long one blocking query may wait (Consul caps it at 10m)
 * @param includeWarning whether instances whose worst check is "warning" get traffic (as DEGRADED)
 * @param recoveryGrace how long instances that vanish right after Consul came back are kept
 * @param queriesPerSecond the token bucket of each query loop
 */
public record ConsulConfig(
    URI address,
    Optional<String> token,
    String datacenter,
    Duration blockingWait,
    boolean includeWarning,
    Duration recoveryGrace,
    Optional<Path> caFile,
    Optional<Path> certFile,
    Optional<Path> keyFile,
    double queriesPerSecond) {

  public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_RECOVERY_GRACE = Duration.ofSeconds(60);

  /** Whether a {@code --registry} value names Consul rather than a file. */
  public static boolean isConsul(String registry) {
    return registry.startsWith("consul://") || registry.startsWith("consul+https://");
  }

  /** {@code consul://host:port} (HTTP) or {@code consul+https://host:port} (TLS), with defaults. */
  public static ConsulConfig of(String registry) {
    if (!isConsul(registry)) {
      throw new IllegalArgumentException(
          "not a Consul address: "
              + registry
              + " (use consul://host:port or consul+https://host:port)");
    }
    URI uri = URI.create(registry);
    boolean tls = registry.startsWith("consul+https://");
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in " + registry);
    }
    int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 8501 : 8500);
    URI address = URI.create((tls ? "https://" : "http://") + uri.getHost() + ":" + port);
    return new ConsulConfig(
        address,
        Optional.empty(),
        "",
        DEFAULT_WAIT,
        false,
        DEFAULT_RECOVERY_GRACE,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        50.0);
  }

  public ConsulConfig withToken(Optional<String> t) {
    return new ConsulConfig(
        address,
        t,
        datacenter,
        blockingWait,
        includeWarning,
        recoveryGrace,
        caFile,
        certFile,
        keyFile,
        queriesPerSecond);
  }

  public ConsulConfig withDatacenter(String dc) {
    return new ConsulConfig(
        address,
        token,
        dc,
        blockingWait,
        includeWarning,
        recoveryGrace,
        caFile,
        certFile,
        keyFile,
        queriesPerSecond);
  }

  public ConsulConfig withBlockingWait(Duration w) {
    return new ConsulConfig(
        address,
        token,
        datacenter,
        w,
        includeWarning,
        recoveryGrace,
        caFile,
        certFile,
        keyFile,
        queriesPerSecond);
  }

  public ConsulConfig withIncludeWarning(boolean include) {
    return new ConsulConfig(
        address,
        token,
        datacenter,
        blockingWait,
        include,
        recoveryGrace,
        caFile,
        certFile,
        keyFile,
        queriesPerSecond);
  }

  public ConsulConfig withRecoveryGrace(Duration grace) {
    return new ConsulConfig(
        address,
        token,
        datacenter,
        blockingWait,
        includeWarning,
        grace,
        caFile,
        certFile,
        keyFile,
        queriesPerSecond);
  }

  public ConsulConfig withTls(Optional<Path> ca, Optional<Path> cert, Optional<Path> key) {
    return new ConsulConfig(
        address,
        token,
        datacenter,
        blockingWait,
        includeWarning,
        recoveryGrace,
        ca,
        cert,
        key,
        queriesPerSecond);
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "consul "
        + address
        + (datacenter.isEmpty() ? "" : " dc=" + datacenter)
        + (token.isPresent() ? " (with ACL token)" : "");
  }
}
