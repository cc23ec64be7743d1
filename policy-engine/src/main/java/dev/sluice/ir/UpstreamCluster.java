package dev.sluice.ir;

import dev.sluice.policy.upstream.UpstreamSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A service (or a tag subset of it) as Envoy sees it: a cluster whose endpoints come over EDS.
 *
 * @param upstream the service's Upstream policy, when one is written
 */
public record UpstreamCluster(
    String name,
    String service,
    Duration connectTimeout,
    List<Endpoint> endpoints,
    Optional<UpstreamSpec> upstream) {
  public UpstreamCluster {
    endpoints = List.copyOf(endpoints);
  }
}
