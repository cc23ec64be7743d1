package dev.sluice.ir;

import java.time.Duration;
import java.util.List;

/** A service as Envoy sees it: a cluster whose endpoints come over EDS. */
public record UpstreamCluster(String name, String service, Duration connectTimeout, List<Endpoint> endpoints) {
  public UpstreamCluster {
    endpoints = List.copyOf(endpoints);
  }
}
