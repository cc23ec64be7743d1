package dev.sluice.ir;

/**
 * One upstream address. Only instances that may receive traffic become endpoints: passing ones as
 * HEALTHY, warning ones (when the source includes them) as DEGRADED, which Envoy uses only when too
 * few healthy endpoints are left.
 */
public record Endpoint(
    String address, int port, int weight, String region, String zone, Status status, int priority) {
  public enum Status {
    HEALTHY,
    DEGRADED
  }
}
