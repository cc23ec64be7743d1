package dev.sluice.policy.upstream;

import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.Source;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How Envoy talks to one service: protocol, load balancing, circuit breaking, outlier detection,
 * active health checks and zone failover. {@code name} is the service's name; every cluster of the
 * service (its tag subsets too) gets these settings.
 */
public record UpstreamSpec(
    String name,
    Source source,
    Protocol protocol,
    Optional<Duration> connectTimeout,
    LoadBalancer loadBalancer,
    Optional<CircuitBreaker> circuitBreaker,
    Optional<OutlierDetection> outlierDetection,
    Optional<HealthCheck> healthCheck,
    boolean zoneFailover)
    implements PolicyResource {
  public static final String KIND = "Upstream";

  @Override
  public String kind() {
    return KIND;
  }

  public enum Protocol {
    HTTP1,
    HTTP2,
    GRPC
  }

  /**
   * @param hashOn what consistent hashing hashes (ring-hash and maglev only)
   */
  public record LoadBalancer(Algorithm algorithm, List<HashOn> hashOn) {
    public static final LoadBalancer DEFAULT = new LoadBalancer(Algorithm.ROUND_ROBIN, List.of());

    public LoadBalancer {
      hashOn = List.copyOf(hashOn);
    }

    public enum Algorithm {
      ROUND_ROBIN,
      LEAST_REQUEST,
      RANDOM,
      RING_HASH,
      MAGLEV;

      public boolean hashes() {
        return this == RING_HASH || this == MAGLEV;
      }
    }
  }

  /**
   * One hash input: a header, a cookie (generated when absent if {@code ttl} is set), the source
   * IP, or a query parameter.
   */
  public record HashOn(Kind kind, String name, Optional<Duration> ttl) {
    public enum Kind {
      HEADER,
      COOKIE,
      SOURCE_IP,
      QUERY
    }
  }

  public record CircuitBreaker(
      Optional<Integer> maxConnections,
      Optional<Integer> maxPendingRequests,
      Optional<Integer> maxRequests,
      Optional<Integer> maxRetries) {}

  public record OutlierDetection(
      int consecutive5xx, Duration interval, Duration baseEjectionTime, int maxEjectionPercent) {}

  /**
   * @param httpPath an HTTP check of this path, or empty for a TCP connect check
   */
  public record HealthCheck(
      Optional<String> httpPath,
      List<Integer> expectedStatuses,
      Duration interval,
      Duration timeout,
      int unhealthyThreshold,
      int healthyThreshold) {
    public HealthCheck {
      expectedStatuses = List.copyOf(expectedStatuses);
    }
  }
}
