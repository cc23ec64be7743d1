package dev.sluice.server.xds;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Keepalive, idle and age limits for Sluice's gRPC servers (xDS, and the rate-limit service), so a
 * peer that vanished without closing its connection (a killed VM, a dropped NAT entry) or never
 * sends anything does not hold a connection and its stream's state forever (docs/operations.md).
 */
public final class ConnectionLimits {
  /** The server pings a connection silent for this long... */
  public static final Duration KEEPALIVE_TIME = Duration.ofSeconds(30);

  /** ...and closes it if the ping is not answered within this. */
  public static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);

  /** A connection with no call open for this long is closed (an ADS connection always has one). */
  public static final Duration MAX_CONNECTION_IDLE = Duration.ofMinutes(5);

  /** A connection is asked to go away (GOAWAY) after this (gRPC adds ±10% jitter)... */
  public static final Duration MAX_CONNECTION_AGE = Duration.ofHours(1);

  /**
   * ...and its calls still open are ended this much later; Envoy reconnects at once and is sent
   * only what it lacks.
   */
  public static final Duration MAX_CONNECTION_AGE_GRACE = Duration.ofMinutes(5);

  /** Clients may ping this often (Envoy's keepalive in the bootstraps is slower). */
  public static final Duration PERMIT_KEEPALIVE_TIME = Duration.ofSeconds(5);

  private ConnectionLimits() {}

  public static NettyServerBuilder applyTo(NettyServerBuilder b) {
    return b.keepAliveTime(KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .maxConnectionIdle(MAX_CONNECTION_IDLE.toMillis(), TimeUnit.MILLISECONDS)
        .maxConnectionAge(MAX_CONNECTION_AGE.toMillis(), TimeUnit.MILLISECONDS)
        .maxConnectionAgeGrace(MAX_CONNECTION_AGE_GRACE.toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(true)
        .permitKeepAliveTime(PERMIT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS);
  }
}
